# The tutorial's baseline: plain SGD at a fixed rate of 0.1, no momentum, no decay (95.69 % in the tutorial).
from anneal.datasets import ionosphere
from anneal.utils import set_random_seed
from anneal.models import Sequential
from anneal.layers import Dense
from anneal.optimizers import SGD
# fix random seed for reproducibility
seed = 7
set_random_seed(seed)
# load dataset
X, Y, classes = ionosphere()
# create model
model = Sequential()
model.add(Dense(34, input_dim=34, kernel_initializer='normal', activation='relu'))
model.add(Dense(1, kernel_initializer='normal', activation='sigmoid'))
# Compile model
sgd = SGD(lr=0.1)
model.compile(loss='binary_crossentropy', optimizer=sgd, metrics=['accuracy'])
# Fit the model
model.fit(X, Y, validation_split=0.33, epochs=50, batch_size=28, verbose=2)
