"""Component: the base model artifact (the tiny local model, or a pointer to a real one)."""

from kfp import dsl
from kfp.dsl import Dataset, Input, Model, Output

from kfp_components import TRAIN_IMAGE


@dsl.component(base_image=TRAIN_IMAGE, install_kfp_package=False)
def build_or_load_base_model(
    examples: Input[Dataset],
    base_model: Output[Model],
    base_model_path: str = "",
    tiny_vocab_size: int = 1024,
    tiny_hidden_size: int = 128,
    tiny_num_hidden_layers: int = 2,
    seed: int = 0,
):
    """Reference ``base_model_path`` (a save_pretrained dir on the PVC, or a hub id) if set;
    otherwise build a tiny Llama + BPE tokenizer trained on the examples."""
    from kfp_components.lib.base_model import materialize_base_model
    from kfp_components.lib.config import TinyModelSettings

    tiny = TinyModelSettings(
        vocab_size=tiny_vocab_size,
        hidden_size=tiny_hidden_size,
        num_hidden_layers=tiny_num_hidden_layers,
        seed=seed,
    )
    info = materialize_base_model(examples.path, base_model_path, base_model.path, tiny)
    base_model.metadata.update(info)
    print(f"base model: {info}")
