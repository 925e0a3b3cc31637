"""What a Keras model is made of, as plain data: the architecture drawings read it."""

from __future__ import annotations


def describe_layers(model) -> list[dict]:
    """The layer graph of a Keras model, nested sub-models flattened in order.

    Returns
    -------
    list of dict
        One per layer: ``name`` (``encoder/enc1_conv`` inside a sub-model), ``type``
        (class name), ``shape`` (output shape without the batch axis; ``None`` is a
        free length), ``params`` (its own parameter count) and ``inputs`` (names of
        the layers that feed it; a sub-model's input layer stands for what feeds the
        sub-model).
    """
    import keras

    rows = []

    def sources(tensors, prefix: str, outer: dict) -> list[str]:
        found = []
        for t in tensors:
            history = getattr(t, "_keras_history", None)
            if history is None:
                continue
            op = history.operation
            if isinstance(op, keras.Model):
                found += sources([op.outputs[history.tensor_index]], f"{prefix}{op.name}/", {})
            elif prefix + op.name in outer:
                found += outer[prefix + op.name]
            else:
                found.append(prefix + op.name)
        return found

    def walk(m, prefix: str, outer: dict):
        for layer in m.layers:
            nodes = layer._inbound_nodes
            inputs = sources(nodes[0].input_tensors, prefix, outer) if nodes else []
            if isinstance(layer, keras.Model):
                # The sub-model's input layers stand for the tensors that feed it here.
                inner = {f"{prefix}{layer.name}/{t._keras_history.operation.name}": inputs
                         for t in layer.inputs}
                walk(layer, f"{prefix}{layer.name}/", inner)
                continue
            outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
            shapes = [tuple(o.shape[1:]) for o in outputs]
            rows.append({"name": prefix + layer.name, "type": type(layer).__name__,
                         "shape": shapes[0] if len(shapes) == 1 else shapes,
                         "params": int(layer.count_params()) if layer.built else 0,
                         "inputs": inputs})

    walk(model, "", {})
    return rows
