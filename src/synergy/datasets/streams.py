"""Random streams keyed by (seed, block id, purpose), never by position (docs/design.md §3).

One job: give every block its own reproducible generator, so a block's simulated data do not
depend on the order of blocks, their number, or the worker that makes them.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["block_digest", "block_rng", "block_uniforms", "seed_stream"]


def block_digest(seed: int, block_id: str, keys: tuple[int, ...], size: int) -> bytes:
    """BLAKE2b digest of ``(seed, keys, block id)``: stable across processes, unlike ``hash``."""
    text = "\x1f".join([str(len(keys)), str(int(seed)), *(str(int(k)) for k in keys), block_id])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).digest()


def seed_stream(bit_generator: np.random.PCG64, seed: int, block_id: str, *keys: int) -> None:
    """Set a PCG64 to the stream keyed by ``(seed, *keys, block id)`` (128-bit state and
    increment taken from the digest; no SeedSequence, so it is cheap per block)."""
    digest = block_digest(seed, str(block_id), keys, 32)
    bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {
            "state": int.from_bytes(digest[:16], "little"),
            "inc": int.from_bytes(digest[16:], "little") | 1,
        },
        "has_uint32": 0,
        "uinteger": 0,
    }


def block_rng(seed: int, block_id: str, *keys: int) -> np.random.Generator:
    """A numpy Generator keyed by ``(seed, *keys, block id)``, independent of block order.

    Parameters
    ----------
    seed : int
        The run's seed.
    block_id : str
        The block's id (docs/design.md §6.1); its position in the screen plays no role.
    *keys : int
        Further keys, e.g. the purpose of the draw or a resample number.

    Returns
    -------
    numpy.random.Generator
        A PCG64 stream whose state and increment come from a BLAKE2b digest of the keys.
    """
    bit_generator = np.random.PCG64(0)
    seed_stream(bit_generator, seed, block_id, *keys)
    return np.random.Generator(bit_generator)


def block_uniforms(seed: int, block_id: str, key: int, n: int) -> np.ndarray:
    """``n ≤ 8`` uniforms in [0, 1) straight from the keyed digest (53 bits each)."""
    digest = block_digest(seed, str(block_id), (key,), 64)
    words = np.frombuffer(digest, dtype="<u8")[:n]
    return (words >> np.uint64(11)).astype(np.float64) * 2.0**-53
