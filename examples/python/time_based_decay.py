# Time-based learning rate decay: the Keras tutorial's script, run on Anneal.
# Changed from the tutorial: the import lines (anneal instead of keras, pandas and sklearn) and, since pandas
# and sklearn are not needed, the data comes from the shipped CSV with the labels already encoded (b -> 0,
# g -> 1, as LabelEncoder does); set_random_seed stands in for numpy.random.seed. The model, the optimizer and
# the fit call are the tutorial's, line for line.
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
epochs = 50
learning_rate = 0.1
decay_rate = learning_rate / epochs
momentum = 0.8
sgd = SGD(lr=learning_rate, momentum=momentum, decay=decay_rate, nesterov=False)
model.compile(loss='binary_crossentropy', optimizer=sgd, metrics=['accuracy'])
# Fit the model
model.fit(X, Y, validation_split=0.33, epochs=epochs, batch_size=28, verbose=2)
