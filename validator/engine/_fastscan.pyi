"""The fast road's native half (``_fastscan.c``): the rest of a run of canonical appends."""

from typing_extensions import Buffer

def configure(
    container_heads: bytes,
    exponent_like: bytes,
    canonical_1: bytes,
    canonical_2: bytes,
    min_exponents: int,
    float32_window: int,
    vector: bool = True,
    /,
) -> None: ...
def vector() -> str: ...
def extend_run(
    data: Buffer,
    pos: int,
    stop: int,
    max_audio_bytes: int,
    max_record_bytes: int,
    sizes: list[int],
    ids: list[str],
    no_id: str,
    count: int,
    total: int,
    smallest: int,
    largest: int,
    column: int,
    /,
) -> tuple[int, int, int, int, int, int, int, int]: ...
def quiet_run(
    data: Buffer,
    pos: int,
    stop: int,
    max_record_bytes: int,
    types: list[str],
    ids: list[str | None],
    spec: list[int] | None,
    names: tuple[str, str, str, str],
    /,
) -> int: ...
