"""Parametric-bootstrap calibration of MuSyC's tests of alpha = 1 (numba, batched).

The profile-likelihood interval of ``ln alpha`` (:mod:`synergy._kernels.musyc_profile`)
inverts the likelihood-ratio test ``W(θ) = (S_k(θ) − S) / σ² ≤ t²`` (Student t, ν = n − p
dof), exact for a model linear in its parameters.  MuSyC is far from linear in alpha, the
slopes and the EC50s: on additive surfaces ``W(0)`` exceeds ``t²`` in ~6.5 % of blocks
instead of 5 % (``benchmarks/bench_musyc_null.py``).  This kernel replaces ``t²`` by the
critical value of a parametric-bootstrap (Monte Carlo) test of ``alpha = 1`` drawn from the
block's own null fit (Davison & Hinkley 1997, §4.2.3; the LR statistic as the test
statistic).  Per block (``prange``) and per ``k`` (``ln alpha12`` = q[8], ``ln alpha21`` =
q[9]):

1. **Null fit**: the least SSE ``S_0`` with ``q[k] = 0`` (the other alpha free), by LM from
   the fit ``q̂`` with ``q[k] = 0`` and from the same with both alphas 0; ``σ_0² = S_0 /
   (n − p + 1)``.  The observed statistic is the signed root
   ``r = sign(q̂[k]) sqrt(W)``, ``W = (S_0 − S) / (S / ν)`` (``S`` the least of the fit's
   and the null fit's SSE): r > 0 leans to synergy.
2. **Draws**: ``n_boot`` responses ``y* = E(q_0) + σ_0 ε`` (ε standard normal) at the
   block's points; each refitted by LM from ``q_0`` (full model, ``S*``, ``q*[k]``) and with
   ``q[k] = 0`` from ``q_0`` and from the full refit (``S*_0``, the lower kept), giving
   ``r*`` as above (``S*`` the least of the full and constrained SSEs).  The second
   constrained start is abandoned when after 3 iterations it is not below the first
   (``abort_sse`` of :func:`~synergy._kernels.musyc_lm.lm`).
3. **Outputs**: the two-sided p-value (twice the smaller of ``(1 + #{r* ≥ r}) / (n_boot +
   1)`` and ``(1 + #{r* ≤ r}) / (n_boot + 1)``), and two critical values: the
   ``⌈(n_boot + 1)(1 + ci)/2⌉``-th smallest ``r*`` and the same rank from the top, negated.
   ``r`` above the first is a one-sided Monte Carlo test of alpha = 1 against synergy at
   level ``(1 − ci)/2`` (exact in the bootstrap world for any ``n_boot`` with
   ``(n_boot + 1)(1 − ci)/2`` whole); the profile interval whose lower end uses the first
   as its criterion (``sqrt(W(θ)) ≤ c``) and whose upper end uses the second excludes 0
   when one of the two one-sided tests rejects (exactly so when ``r(θ)`` is monotone on
   each side; :func:`synergy.models.musyc_calibration.join_disconnected` handles the
   rest): the calibrated interval.  The
   signed root rather than W itself, because the LR statistic of MuSyC's alpha is also
   skewed: additive blocks lean to false synergy calls more than to antagonism ones.

Speed (the refits are the whole cost, ~3 n_boot per block and alpha):

- **Replicates merged**: when the block's points are runs of ``m`` replicates of each dose
  pair (every run alike; else ``m = 1``), a draw is refitted to the ``m``-point means:
  ``S* = m Σ (ȳ* − E)² + σ_0² Σ (ε − ε̄)²`` exactly, the draws and their order unchanged,
  so each LM step costs half as much with duplicates.
- **Loose stopping**: the refits of the draws stop once the next, nearly Gauss–Newton step
  predicts an SSE gain below ``_SSE_TOL σ_0²`` (``ftol_abs`` of ``lm``; ``_SSE_TOL`` =
  1e-4, while ``W`` at the critical values is ~4; ``lm`` takes this exit only on a step
  neither capped nor projected, whose predicted gain bounds the remaining one).  The
  observed statistic keeps the tight fits.
- **Observed null fit by continuation** too: besides the two direct starts, ``q[k]`` is
  walked from ``q̂[k]`` to 0 in :data:`_PATH_STEPS` steps, each fit warm-started from the
  last, as the profile search walks to its ends.  A direct start can stop in a worse
  local optimum than the profile reaches, and then the test rejected alpha = 1 while the
  profile interval held 0 (~0.3 % of block-alphas on additive blocks).
- **Second start abandoned** (step 2 above): it gives the lower SSE in ~1 % of draws, and
  seldom when it is still behind after 3 iterations.

Against the previous kernel (tight refits of all points, both constrained starts run to the
end) on 4,000 additive blocks (``benchmarks/bench_musyc_null.py`` design, seeds 11 and 12,
``calibrate=79``): the same observed statistics; 99.3 % of the critical values within 1e-3
(the rest: one draw refitted to another local optimum; a new seed moves them by 0.3 in
the median); the same p-value in 98.7 %, else one draw apart; calls differing in 3 blocks;
false-call rates 2.81 % / 2.65 % (synergy / antagonism) against 2.81 % / 2.64 %.  On one
core 84–87 blocks/s against 33–36 (8 × 8 grids, 2 replicates): ~2.5x.

Block ``b``'s draws come from numba's generator (one per thread) re-seeded with
``block_seeds[b]`` before the block, so the result depends neither on the number of threads
nor, with seeds keyed by block id (:func:`synergy.models.musyc.fit_musyc`), on the block's
position in the screen or chunk.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.musyc import accumulate, fitted_block, lm, new_work
from synergy._kernels.musyc_surface import point

__all__ = ["calibrate_alpha"]

_SSE_TOL = 1e-4  # bootstrap refits stop when the next step would gain < this x sigma_0^2
_PATH_STEPS = 4  # steps of the continuation from q_hat[k] to 0 (observed null fit)


@njit(cache=True, error_model="numpy")
def _replicates(u1, u2, n):
    """m when the points are runs of m equal (u1, u2) (replicates), every run alike; else 1."""
    m = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and u1[j] == u1[i] and u2[j] == u2[i]:
            j += 1
        if m == 0:
            m = j - i
        elif j - i != m:
            return 1
        i = j
    return m


@njit(cache=True, error_model="numpy")
def _null_fit(u1, u2, y, n, k, q_a, q_b, lo_p, hi_p, max_iter, work, q, q_out, ftol, abort):
    """Least SSE with q[k] = 0 (lo_p, hi_p hold it) from the starts q_a and q_b into q_out.

    With ``abort`` the second start stops after 3 iterations unless below the first.
    """
    p = q_a.shape[0]
    best = np.inf
    for start in range(2):
        src = q_a if start == 0 else q_b
        for j in range(p):
            q[j] = min(max(src[j], lo_p[j]), hi_p[j])
        limit = best if (abort and start == 1) else np.inf
        sse, _, _ = lm(u1, u2, y, n, q, lo_p, hi_p, max_iter, work, limit, ftol)
        if sse < best:
            best = sse
            q_out[:] = q
    return best


@njit(cache=True, error_model="numpy")
def _signed_root(sse_0, sse_full, theta, dof):
    """sign(θ̂) sqrt(W) of the test of q[k] = 0 (W on the F scale, S the lower SSE)."""
    low = min(sse_0, sse_full)
    if not low > 0.0:
        return np.nan
    root = np.sqrt((sse_0 - low) / (low / dof))
    return root if theta >= 0.0 else -root


@njit(cache=True, error_model="numpy")
def _calibrate_one(u1, u2, y, n, m, q_hat, bounds, k, n_boot, ci, max_iter, work, out):
    """Signed root, p-value and the two calibrated critical values of q[k] = 0 into out.

    The draws are refitted to the means of the m replicates of each point (u1[::m]).
    """
    p = q_hat.shape[0]
    lo = bounds[:, 0]
    hi = bounds[:, 1]
    lo_p = lo.copy()
    hi_p = hi.copy()
    lo_p[k] = 0.0
    hi_p[k] = 0.0
    dof = n - p
    sse_hat = accumulate(u1, u2, y, n, q_hat, work[0], work[1], work[2])
    q_both = q_hat.copy()
    q_both[8] = 0.0
    q_both[9] = 0.0
    q_null = np.empty(p)
    q_tmp = np.empty(p)
    sse_null = _null_fit(u1, u2, y, n, k, q_hat, q_both, lo_p, hi_p, max_iter, work, q_tmp,
                         q_null, 0.0, False)  # fmt: skip
    # continuation: q[k] walked from q_hat[k] to 0, each fit warm-started from the last
    lo_c = lo.copy()
    hi_c = hi.copy()
    q_tmp[:] = q_hat
    sse_path = np.inf
    for step in range(1, _PATH_STEPS + 1):
        theta = q_hat[k] * (1.0 - step / _PATH_STEPS)
        lo_c[k] = theta
        hi_c[k] = theta
        q_tmp[k] = theta
        sse_path, _, _ = lm(u1, u2, y, n, q_tmp, lo_c, hi_c, max_iter, work)
    if sse_path < sse_null:
        sse_null = sse_path
        q_null[:] = q_tmp
    out[4 : 4 + p] = q_null
    r_obs = _signed_root(sse_null, sse_hat, q_hat[k], dof)
    if not np.isfinite(r_obs):
        return
    sd = np.sqrt(sse_null / (dof + 1))
    n_c = n // m
    v1 = np.empty(n_c)
    v2 = np.empty(n_c)
    mean = np.empty(n_c)
    jac = np.empty(p)
    for c in range(n_c):
        v1[c] = u1[c * m]
        v2[c] = u2[c * m]
        mean[c] = point(v1[c], v2[c], q_null, jac)
    ftol = _SSE_TOL * sd * sd / m
    y_star = np.empty(n_c)
    q_star = np.empty(p)
    q_out = np.empty(p)
    r_star = np.empty(n_boot)
    n_above = 0
    n_below = 0
    for r in range(n_boot):
        # y* = E(q_0) + sd eps at each point; refitted as m (mean - E)^2 + within-point SS
        within = 0.0
        for c in range(n_c):
            s1 = 0.0
            s2 = 0.0
            for _ in range(m):
                e = np.random.standard_normal()  # noqa: NPY002
                s1 += e
                s2 += e * e
            e_bar = s1 / m
            y_star[c] = mean[c] + sd * e_bar
            within += s2 - s1 * e_bar
        within *= sd * sd
        q_star[:] = q_null
        sse_full, _, _ = lm(v1, v2, y_star, n_c, q_star, lo, hi, max_iter, work, np.inf, ftol)
        sse_0 = _null_fit(v1, v2, y_star, n_c, k, q_null, q_star, lo_p, hi_p, max_iter, work,
                          q_tmp, q_out, ftol, True)  # fmt: skip
        rs = _signed_root(m * sse_0 + within, m * sse_full + within, q_star[k], dof)
        if not np.isfinite(rs):
            rs = 0.0  # a failed refit counts as no evidence either way
        r_star[r] = rs
        if rs >= r_obs:
            n_above += 1
        if rs <= r_obs:
            n_below += 1
    r_star.sort()
    out[0] = r_obs
    out[1] = min(1.0, 2.0 * (1.0 + min(n_above, n_below)) / (n_boot + 1.0))
    # one-sided Monte Carlo tests at (1 - ci) / 2 each: the rank-th smallest / largest draw
    rank = int(np.ceil((n_boot + 1) * (1.0 + ci) / 2.0 - 1e-9))
    if rank <= n_boot:
        out[2] = max(r_star[rank - 1], 1e-3)  # for the interval's lower end
        out[3] = max(-r_star[n_boot - rank], 1e-3)  # for its upper end
    else:
        out[2] = np.inf
        out[3] = np.inf


@njit(cache=True, error_model="numpy", parallel=True)
def calibrate_alpha(dose1, dose2, response, params, bounds, n_boot, ci, block_seeds, max_iter):
    """Bootstrap tests of ``alpha12 = 1`` and ``alpha21 = 1`` of B fitted blocks.

    Parameters
    ----------
    dose1, dose2, response : float64 (B, N)
        Each block's points, the arrays given to :func:`~synergy._kernels.musyc.fit_musyc`.
    params : float64 (B, p)
        Its fitted ``q`` (p = 10, or 12 with γ, the γs then free in every refit); blocks
        with a NaN parameter are skipped (NaN outputs).
    bounds : float64 (B, p, 2)
        Bounds of ``q`` used in the fit (``0`` must lie within those of ``q[8]``, ``q[9]``).
    n_boot : int
        Bootstrap draws per block and alpha (≥ 1; ``(n_boot + 1) (1 − ci) / 2`` should be
        a whole number, e.g. 199 or 399 for ci = 0.95).
    ci : float
        Confidence level of the intervals the critical values are for (e.g. 0.95).
    block_seeds : int64 (B,)
        Seed of each block's stream, in [0, 2**32) (the wrapper keys them by block id).
    max_iter : int
        LM iterations per refit.

    Returns
    -------
    signed_root : float64 (B, 2)
        For ``(alpha12, alpha21)``: ``sign(ln alpha) sqrt(W)``, W the LR statistic of
        alpha = 1 on the F scale.
    p_value : float64 (B, 2)
        Two-sided bootstrap p-value (twice the smaller one-sided one, at most 1).
    critical : float64 (B, 2, 2)
        Critical values of ``sqrt(W(θ))`` for the profile interval's lower and upper ends
        (each ≥ 1e-3; +inf when ``n_boot`` is too small for ``ci``): use them in place
        of Student's ``t``.
    null_params : float64 (B, 2, p)
        The observed data's null fit (``q[k] = 0``) of each alpha, whose SSE gives W.
    """
    B = response.shape[0]
    p = params.shape[1]
    results = np.full((B, 2, 4 + p), np.nan)
    for b in prange(B):
        u1, u2, y, n = fitted_block(dose1[b], dose2[b], response[b], params[b])
        if n == 0:
            continue
        work = new_work(p)
        m = _replicates(u1, u2, n)
        np.random.seed(block_seeds[b])  # noqa: NPY002 (numba: per-thread legacy generator)
        for a in range(2):
            _calibrate_one(
                u1, u2, y, n, m, params[b], bounds[b], 8 + a, n_boot, ci, max_iter, work,
                results[b, a],
            )  # fmt: skip
    return (
        np.ascontiguousarray(results[:, :, 0]),
        np.ascontiguousarray(results[:, :, 1]),
        np.ascontiguousarray(results[:, :, 2:4]),
        np.ascontiguousarray(results[:, :, 4:]),
    )
