# Drop-based (step) learning rate decay: the Keras tutorial's script, run on Anneal.
# Changed from the tutorial: the import lines (anneal instead of keras, pandas and sklearn) and, since pandas
# and sklearn are not needed, the data comes from the shipped CSV with the labels already encoded (b -> 0,
# g -> 1, as LabelEncoder does); set_random_seed stands in for numpy.random.seed. The schedule, the model, the
# optimizer and the fit call are the tutorial's, line for line.
import math
from anneal.datasets import ionosphere
from anneal.utils import set_random_seed
from anneal.models import Sequential
from anneal.layers import Dense
from anneal.optimizers import SGD
from anneal.callbacks import LearningRateScheduler


# learning rate schedule
def step_decay(epoch):
    initial_lrate = 0.1
    drop = 0.5
    epochs_drop = 10.0
    lrate = initial_lrate * math.pow(drop, math.floor((1 + epoch) / epochs_drop))
    return lrate


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
sgd = SGD(lr=0.0, momentum=0.9, decay=0.0, nesterov=False)
model.compile(loss='binary_crossentropy', optimizer=sgd, metrics=['accuracy'])
# learning schedule callback
lrate = LearningRateScheduler(step_decay)
callbacks_list = [lrate]
# Fit the model
model.fit(X, Y, validation_split=0.33, epochs=50, batch_size=28, callbacks=callbacks_list, verbose=2)
