"""``Sequential.summary()``: tf_keras 2.21's ``print_summary`` (``utils/layer_utils.py``) for a sequential
model, line for line.

    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     dense (Dense)               (None, 34)                1190

     dense_1 (Dense)             (None, 1)                 35

    =================================================================
    Total params: 1225 (4.79 KB)
    Trainable params: 1225 (4.79 KB)
    Non-trainable params: 0 (0.00 Byte)
    _________________________________________________________________

Every line is padded to the full width with spaces, the blank lines included, as Keras prints them.
"""

import re

__all__ = ["print_summary", "readable_memory_size"]

_BYTES_PER_WEIGHT = 4  # float32


def readable_memory_size(size):
    """Keras's ``readable_memory_size``: bytes in the largest unit that keeps the value at least 1, two
    decimals (``4900`` -> ``"4.79 KB"``, ``0`` -> ``"0.00 Byte"``)."""
    units = ["Byte", "KB", "MB", "GB", "TB", "PB"]
    scale = 1024
    for unit in units:
        if size / scale < 1:
            return "{:.2f} {}".format(size, unit)
        size /= scale
    return "{:.2f} {}".format(size, units[-1])


def _layer_range(layers, layer_range):
    """Keras's ``get_layer_index_bound_by_layer_name``: [first, last + 1] of the layers whose names match."""
    if layer_range is None:
        return [0, len(layers)]
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [index for index, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [index for index, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return [min(upper), max(lower) + 1]
    return [min(lower), max(upper) + 1]


def _print_row(fields, positions, print_fn):
    """One table row: each field in its column, cut to fit and continued on the next lines."""
    left_to_print = [str(field) for field in fields]
    while any(left_to_print):
        line = ""
        for column in range(len(left_to_print)):
            start = positions[column - 1] if column > 0 else 0
            end = positions[column]
            # Two spaces separate the columns, and all but the last column give up one more character.
            space = 2 if column != len(positions) - 1 else 0
            cutoff = end - start - space
            if column != len(positions) - 1:
                cutoff -= 1
            fit_into_line = left_to_print[column][:cutoff]
            # Keras breaks lines after the end of a tuple, dict, list or string item.
            candidates = [fit_into_line.find(mark) + len(mark) for mark in ("),", "},", "],", "',")
                          if fit_into_line.find(mark) >= 0]
            if candidates:
                cutoff = min(candidates)
                fit_into_line = fit_into_line[:cutoff]
            if column == 0:
                line += " "
            line += fit_into_line
            line += " " * space if space else ""
            left_to_print[column] = left_to_print[column][cutoff:]
            line += " " * (positions[column] - len(line))
        print_fn(line)


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False, layer_range=None):
    """Prints ``model``'s summary (a built Sequential) through ``print_fn`` (default ``print``), one call per
    line."""
    print_fn = print_fn or print
    line_length = line_length or 65
    positions = list(positions or [0.45, 0.85, 1.0])
    if positions[-1] <= 1:
        positions = [int(line_length * position) for position in positions]
    header = ["Layer (type)", "Output Shape", "Param #"]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")
    layers = model.layers
    first, end = _layer_range(layers, layer_range)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(header, positions, print_fn)
    print_fn("=" * line_length)
    for layer in layers[first:end]:
        fields = [f"{layer.name} ({type(layer).__name__})", layer.output_shape, layer.count_params()]
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        _print_row(fields, positions, print_fn)
        print_fn(" " * line_length)
    print_fn("=" * line_length)
    # Every weight is trainable; non-trainable weights (BatchNormalization's statistics) do not exist here.
    trainable = model.count_params()
    size = trainable * _BYTES_PER_WEIGHT
    print_fn(f"Total params: {trainable} ({readable_memory_size(size)})")
    print_fn(f"Trainable params: {trainable} ({readable_memory_size(size)})")
    print_fn(f"Non-trainable params: 0 ({readable_memory_size(0)})")
    print_fn("_" * line_length)
