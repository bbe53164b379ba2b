// The dense-layer kernels for one instruction set, written once and compiled once per level: LevelAVX2.c,
// LevelAVX512.c and LevelPortable.c (clang's vector types, see KernelsPortable.h) include this file, each time
// with its own definitions of
//
//   AK_NAME(x)              this set's name for x (ak_avx2_x, ak_avx512_x, ak_portable_x)
//   AK_TARGET               the target attribute that lets these functions use the set (or nothing)
//   AK_LANES                floats in one full vector, ak_v its type
//   AK_BLOCK_ROWS,          the register block: rows of c by full vectors of columns (as many accumulators
//   AK_BLOCK_VECTORS          as the set's registers hold next to the loaded row of b)
//   ak_mask, AK_MASK(n)     a mask of the first n lanes (n >= AK_LANES: all), for loads and stores
//   AK_V_ZERO/LOAD/STORE/SET1/ADD/SUB/MUL/FMA, AK_V_LOADM/STOREM(p, m[, v])   full-width operations
//   ak_v8, ak_v4, AK_8_x, AK_4_x   8- and 4-lane vectors for the narrow tails: ZERO, SET1, ADD, MUL, FMA,
//                           STORE (left defined at the end: the x86 levels share them), and the masked
//                           LOADM, STOREM
//   AK_V_RELU_MASK(g, z)    g with its lanes set to +0 where z <= 0
//   AK_V_MUL_AT(p, y), AK_V_FMA_AT(p, y, z), and AK_8_, AK_4_ the same   optional: *p in every lane times y
//                           (plus z), *p broadcast inside the instruction (LevelAVX512.c); by default
//                           AK_V_SET1(*p) then the operation
//   AK_TRANSPOSE_PART       the rows of a transpose (anneal_kernels_transpose) at this level
//   AK_TRANSPOSED_PANEL     optional: a narrow panel of a product whose a has its depth contiguous, computed
//                           across rows through transposes (LevelAVX2.c's ak_avx2_transposed_panel)
//
// Every function sums in the order include/AnnealKernels.h describes, each product rounded before it is
// added, or, in the products that anneal_kernels_product_fuses names, fused with the add (FUSED, a constant
// at every call site), so both instruction sets give the same bits as the portable Swift loops.

#define AK_INLINE static inline __attribute__((always_inline)) AK_TARGET
/// acc + x * y: fused (one rounding) when FUSED, else the product rounded, then the sum; full vectors, and
/// 8- and 4-lane ones for the narrow tails.
#define AK_MADD(FUSED, acc, x, y) ((FUSED) ? AK_V_FMA(x, y, acc) : AK_V_ADD(acc, AK_V_MUL(x, y)))
#define AK_MADD8(FUSED, acc, x, y) ((FUSED) ? AK_8_FMA(x, y, acc) : AK_8_ADD(acc, AK_8_MUL(x, y)))
#define AK_MADD4(FUSED, acc, x, y) ((FUSED) ? AK_4_FMA(x, y, acc) : AK_4_ADD(acc, AK_4_MUL(x, y)))
#ifndef AK_V_MUL_AT
#define AK_V_MUL_AT(p, y) AK_V_MUL(AK_V_SET1(*(p)), y)
#define AK_V_FMA_AT(p, y, z) AK_V_FMA(AK_V_SET1(*(p)), y, z)
#define AK_8_MUL_AT(p, y) AK_8_MUL(AK_8_SET1(*(p)), y)
#define AK_8_FMA_AT(p, y, z) AK_8_FMA(AK_8_SET1(*(p)), y, z)
#define AK_4_MUL_AT(p, y) AK_4_MUL(AK_4_SET1(*(p)), y)
#define AK_4_FMA_AT(p, y, z) AK_4_FMA(AK_4_SET1(*(p)), y, z)
#endif
/// acc + *p * y, *p in every lane: full vectors, and 8- and 4-lane ones.
#define AK_MADD_AT(FUSED, acc, p, y) ((FUSED) ? AK_V_FMA_AT(p, y, acc) : AK_V_ADD(acc, AK_V_MUL_AT(p, y)))
#define AK_MADD8_AT(FUSED, acc, p, y) ((FUSED) ? AK_8_FMA_AT(p, y, acc) : AK_8_ADD(acc, AK_8_MUL_AT(p, y)))
#define AK_MADD4_AT(FUSED, acc, p, y) ((FUSED) ? AK_4_FMA_AT(p, y, acc) : AK_4_ADD(acc, AK_4_MUL_AT(p, y)))
/// Fetches the cache line of `p` for reading soon (x86 prefetcht0, the `_mm_prefetch` hint T0).
#define AK_PREFETCH(p) __builtin_prefetch(p, 0, 3)
/// Columns of c (and of b) one register block covers: Products.c packs b in panels of this width (and shares
/// products with the helper thread in whole blocks of AK_BLOCK_ROWS rows).
#define AK_PANEL (AK_BLOCK_VECTORS * AK_LANES)

/// A full vector at `p`, or its first lanes under `mask` (`whole` is a constant at every call site).
AK_INLINE ak_v AK_NAME(load)(const float *p, const bool whole, ak_mask mask) {
    return whole ? AK_V_LOAD(p) : AK_V_LOADM(p, mask);
}

AK_INLINE void AK_NAME(store)(float *p, const bool whole, ak_mask mask, ak_v value) {
    if (whole) {
        AK_V_STORE(p, value);
    } else {
        AK_V_STOREM(p, mask, value);
    }
}

/// One vector of the SGD update (anneal_kernels_sgd's rules) from the gradients `gradient`; returns the
/// updated parameters.
AK_INLINE ak_v AK_NAME(sgd_step)(float *w, float *v, ak_v gradient, const bool whole, ak_mask k, ak_v r, ak_v m,
                                 const bool momentum, const bool nesterov) {
    ak_v wi = AK_NAME(load)(w, whole, k);
    ak_v step = AK_V_MUL(r, gradient);
    if (!momentum) {
        wi = AK_V_SUB(wi, step);
    } else {
        ak_v vi = AK_V_SUB(AK_V_MUL(m, AK_NAME(load)(v, whole, k)), step);
        AK_NAME(store)(v, whole, k, vi);
        wi = AK_V_ADD(wi, nesterov ? AK_V_SUB(AK_V_MUL(m, vi), step) : vi);
    }
    AK_NAME(store)(w, whole, k, wi);
    return wi;
}

/// The update of a product that updates instead of storing (anneal_kernels_gemm_sgd), on the full vector of
/// parameters at `w` (inside `update->c`) whose gradients are `gradient`; the updated vector also goes to
/// `packed` when that is not NULL.
AK_INLINE void AK_NAME(update_vector)(const struct ak_product *update, float *w, ak_v gradient, float *packed) {
    float *v = update->v + (w - update->c);
    const ak_v r = AK_V_SET1(update->rate), m = AK_V_SET1(update->momentum);
    ak_v updated;
    if (update->momentum == 0) {
        updated = AK_NAME(sgd_step)(w, v, gradient, true, AK_MASK(AK_LANES), r, m, false, false);
    } else if (update->nesterov) {
        updated = AK_NAME(sgd_step)(w, v, gradient, true, AK_MASK(AK_LANES), r, m, true, true);
    } else {
        updated = AK_NAME(sgd_step)(w, v, gradient, true, AK_MASK(AK_LANES), r, m, true, false);
    }
    if (packed) AK_V_STORE(packed, updated);
}

/// One register block: RB rows of c by NF full vectors plus a masked tail of columns held in a 4-, 8- or
/// full-width register (TK = 1, 2, 3; 0 for none), summing over the whole depth with the accumulators in
/// registers. RB, NF, TK and FUSED are constants at every call site. A narrow tail in a narrow register matters:
/// the tutorial's 34 columns end in 2 and its one-unit output layer is all tail.
AK_INLINE void AK_NAME(block)(
    const int RB, const int NF, const int TK, const bool FUSED,
    const float *a, ptrdiff_t ars, ptrdiff_t ads,
    const float *b, ptrdiff_t bs, const float *init,
    float *c, ptrdiff_t cs, ptrdiff_t depth, ak_mask tail, const struct ak_product *update, float *packed)
{
    ak_v acc[AK_BLOCK_ROWS][AK_BLOCK_VECTORS];
    ak_v tv[AK_BLOCK_ROWS];
    ak_v8 t8[AK_BLOCK_ROWS];
    ak_v4 t4[AK_BLOCK_ROWS];
    const float *bt = b + NF * AK_LANES;
    AK_UNROLL
    for (int v = 0; v < NF; v++) {
        ak_v start = init ? AK_V_LOAD(init + v * AK_LANES) : AK_V_ZERO();
        AK_UNROLL
        for (int r = 0; r < RB; r++) acc[r][v] = start;
    }
    if (TK == 3) {
        ak_v start = init ? AK_V_LOADM(init + NF * AK_LANES, tail) : AK_V_ZERO();
        AK_UNROLL
        for (int r = 0; r < RB; r++) tv[r] = start;
    } else if (TK == 2) {
        ak_v8 start = init ? AK_8_LOADM(init + NF * AK_LANES, tail) : AK_8_ZERO();
        AK_UNROLL
        for (int r = 0; r < RB; r++) t8[r] = start;
    } else if (TK == 1) {
        ak_v4 start = init ? AK_4_LOADM(init + NF * AK_LANES, tail) : AK_4_ZERO();
        AK_UNROLL
        for (int r = 0; r < RB; r++) t4[r] = start;
    }
    // The block's columns: in an updating block, each row's parameters (and its stretch of packed_w).
    const ptrdiff_t width = NF * AK_LANES + (TK != 0 ? AK_MASK_LANES(tail) : 0);
    if (update) {
        // The parameters and velocities the block will update: fetched while it sums, not waited for after.
        AK_UNROLL
        for (int r = 0; r < RB; r++) {
            // Every cache line of the row's `width` parameters: one in each 16 floats from the first, and the
            // last. (The lines between matter once the operands outgrow the L1 cache: an updating product of
            // the tutorial's shape, 34 columns or three lines a row, timed alone with 29 KB of operands, took
            // 12 % longer at AVX-512 without them.)
            const float *w = c + r * cs, *v = update->v + (c + r * cs - update->c);
            ptrdiff_t last = width - 1;
            for (ptrdiff_t i = 0; i < width; i += 16) AK_PREFETCH(w + i);
            AK_PREFETCH(w + last);
            if (update->momentum != 0) {
                for (ptrdiff_t i = 0; i < width; i += 16) AK_PREFETCH(v + i);
                AK_PREFETCH(v + last);
            }
        }
    }
    for (ptrdiff_t k = 0; k < depth; k++) {
        const float *bk = b + k * bs;
        ak_v bv[AK_BLOCK_VECTORS];
        AK_UNROLL
        for (int v = 0; v < NF; v++) bv[v] = AK_V_LOAD(bk + v * AK_LANES);
        ak_v bw = AK_V_ZERO();
        ak_v8 b8 = AK_8_ZERO();
        ak_v4 b4 = AK_4_ZERO();
        if (TK == 3) bw = AK_V_LOADM(bt + k * bs, tail);
        if (TK == 2) b8 = AK_8_LOADM(bt + k * bs, tail);
        if (TK == 1) b4 = AK_4_LOADM(bt + k * bs, tail);
        const float *ak = a + k * ads;
        AK_UNROLL
        for (int r = 0; r < RB; r++) {
            const float *x = ak + r * ars;
            AK_UNROLL
            for (int v = 0; v < NF; v++) acc[r][v] = AK_MADD_AT(FUSED, acc[r][v], x, bv[v]);
            if (TK == 3) tv[r] = AK_MADD_AT(FUSED, tv[r], x, bw);
            if (TK == 2) t8[r] = AK_MADD8_AT(FUSED, t8[r], x, b8);
            if (TK == 1) t4[r] = AK_MADD4_AT(FUSED, t4[r], x, b4);
        }
    }
    if (update) {
        // Row r of the block is `width` floats after row r - 1 in packed_w.
        AK_UNROLL
        for (int r = 0; r < RB; r++) {
            float *out = c + r * cs;
            AK_UNROLL
            for (int v = 0; v < NF; v++) {
                float *packed_v = packed ? packed + r * width + v * AK_LANES : NULL;
                AK_NAME(update_vector)(update, out + v * AK_LANES, acc[r][v], packed_v);
            }
            if (TK != 0) {
                float values[AK_LANES > 8 ? AK_LANES : 8];  // room for an 8-lane tail at any width
                if (TK == 3) AK_V_STORE(values, tv[r]);
                if (TK == 2) AK_8_STORE(values, t8[r]);
                if (TK == 1) AK_4_STORE(values, t4[r]);
                for (int i = 0; i < AK_MASK_LANES(tail); i++) {
                    ak_update_one(update, AK_PANEL, out + NF * AK_LANES + i, values[i]);
                }
            }
        }
        return;
    }
    AK_UNROLL
    for (int r = 0; r < RB; r++) {
        float *out = c + r * cs;
        AK_UNROLL
        for (int v = 0; v < NF; v++) AK_V_STORE(out + v * AK_LANES, acc[r][v]);
        if (TK == 3) AK_V_STOREM(out + NF * AK_LANES, tail, tv[r]);
        if (TK == 2) AK_8_STOREM(out + NF * AK_LANES, tail, t8[r]);
        if (TK == 1) AK_4_STOREM(out + NF * AK_LANES, tail, t4[r]);
    }
}

#define AK_ROWS_CASE(RB, NF, TK) case RB: AK_NAME(block)(RB, NF, TK, FUSED, a, ars, ads, b, bs, init, c, cs, depth, tail, update, packed); break;
#if AK_BLOCK_ROWS >= 6
#define AK_ROWS_CASE6(NF, TK) AK_ROWS_CASE(6, NF, TK)
#else
#define AK_ROWS_CASE6(NF, TK)
#endif
#if AK_BLOCK_ROWS >= 5
#define AK_ROWS_CASE5(NF, TK) AK_ROWS_CASE(5, NF, TK)
#else
#define AK_ROWS_CASE5(NF, TK)
#endif

#define AK_ROWS_CASES(NF, TK)                                                                               \
    switch (rb) {                                                                                           \
    AK_ROWS_CASE6(NF, TK)                                                                                   \
    AK_ROWS_CASE5(NF, TK)                                                                                   \
    AK_ROWS_CASE(4, NF, TK)                                                                                 \
    AK_ROWS_CASE(3, NF, TK)                                                                                 \
    AK_ROWS_CASE(2, NF, TK)                                                                                 \
    default: AK_NAME(block)(1, NF, TK, FUSED, a, ars, ads, b, bs, init, c, cs, depth, tail, update, packed); break; \
    }

#if AK_LANES > 8
#define AK_WIDE_TAIL_CASE(NF) case 3: AK_ROWS_CASES(NF, 3) break;
#else
#define AK_WIDE_TAIL_CASE(NF)
#endif

#define AK_TAIL_CASES(NF)                                                                                   \
    switch (tk) {                                                                                           \
    AK_WIDE_TAIL_CASE(NF)                                                                                   \
    case 2: AK_ROWS_CASES(NF, 2) break;                                                                     \
    case 1: AK_ROWS_CASES(NF, 1) break;                                                                     \
    default: AK_ROWS_CASES(NF, 0) break;                                                                    \
    }

/// The block for `rb` rows (1 to AK_BLOCK_ROWS), `nf` full vectors and tail kind `tk`: each combination is its own
/// fully unrolled code.
AK_INLINE void AK_NAME(dispatch_any)(
    int rb, int nf, int tk, const bool FUSED,
    const float *a, ptrdiff_t ars, ptrdiff_t ads,
    const float *b, ptrdiff_t bs, const float *init,
    float *c, ptrdiff_t cs, ptrdiff_t depth, ak_mask tail, const struct ak_product *update, float *packed)
{
    switch (nf) {
    case AK_BLOCK_VECTORS: AK_ROWS_CASES(AK_BLOCK_VECTORS, 0) break;  // a full panel has no tail
#if AK_BLOCK_VECTORS > 3
    case 3: AK_TAIL_CASES(3) break;
#endif
#if AK_BLOCK_VECTORS > 2
    case 2: AK_TAIL_CASES(2) break;
#endif
    case 1: AK_TAIL_CASES(1) break;
    default: AK_TAIL_CASES(0) break;
    }
}

/// The blocks of a product that stores c (dispatch, dispatch_fused), and of one that updates the parameters
/// in `update->c` (anneal_kernels_gemm_sgd: dispatch_update, dispatch_update_fused): each its own function,
/// so that none of the update's code sits in the small products' path (see Network.layerUpdateMinimum), and
/// the fused copies apart too: each copy's inner loop then has no branch on the flag, and choosing the
/// function once per product costs nothing measurable.
#define AK_DISPATCH_STORING(NAME, FUSED)                                                                     \
    static AK_TARGET void AK_NAME(NAME)(int rb, int nf, int tk, const float *a, ptrdiff_t ars, ptrdiff_t ads,  \
                                        const float *b, ptrdiff_t bs, const float *init, float *c,              \
                                        ptrdiff_t cs, ptrdiff_t depth, ak_mask tail) {                          \
        AK_NAME(dispatch_any)(rb, nf, tk, FUSED, a, ars, ads, b, bs, init, c, cs, depth, tail, NULL, NULL);    \
    }
#define AK_DISPATCH_UPDATING(NAME, FUSED)                                                                    \
    static AK_TARGET void AK_NAME(NAME)(int rb, int nf, int tk, const float *a, ptrdiff_t ars, ptrdiff_t ads,  \
                                        const float *b, ptrdiff_t bs, float *c, ptrdiff_t cs, ptrdiff_t depth,  \
                                        ak_mask tail, const struct ak_product *update, float *packed) {        \
        AK_NAME(dispatch_any)(rb, nf, tk, FUSED, a, ars, ads, b, bs, NULL, c, cs, depth, tail, update, packed); \
    }
AK_DISPATCH_STORING(dispatch, false)
AK_DISPATCH_STORING(dispatch_fused, true)
AK_DISPATCH_UPDATING(dispatch_update, false)
AK_DISPATCH_UPDATING(dispatch_update_fused, true)
#undef AK_DISPATCH_STORING
#undef AK_DISPATCH_UPDATING

#undef AK_ROWS_CASE
#undef AK_ROWS_CASE6
#undef AK_ROWS_CASE5
#undef AK_ROWS_CASES
#undef AK_WIDE_TAIL_CASE
#undef AK_TAIL_CASES

/// A panel of W <= 4 columns with no full vector beside it (the last 2 of the tutorial's 34 columns at AVX2,
/// a one-unit layer) when a's rows are adjacent in memory (a_row_stride 1: the gradient product xᵀ · delta):
/// vectorized across rows instead of across the W columns, so no lane idles and each a(m, k) is loaded once
/// for all W columns. V vectors of rows (the last one possibly partial, `lanes` wide) go side by side: one
/// vector's sums are only W chains of dependent adds, too few to hide the adds' latency. Each c[m][n] still
/// sums over k in increasing order. (Not for the other products, where rows are apart: loading a vector of
/// rows would need a gather, which costs more than the lanes it fills.)
/// With UPDATE (a constant), each sum updates the parameter at its place instead (anneal_kernels_gemm_sgd).
AK_INLINE void AK_NAME(row_panel_wv)(const int W, const int V, const bool UPDATE, const bool FUSED,
                                    const struct ak_product *job, const float *a, const float *b, ptrdiff_t bs,
                                    const float *init, float *c, int lanes) {
    ak_mask last = AK_MASK(lanes);
    ak_v acc[6][6];  // up to AK_ROW_VECTORS(1) vectors of W <= 4 columns, or 2 of W <= 6
    AK_UNROLL
    for (int v = 0; v < V; v++) {
        AK_UNROLL
        for (int j = 0; j < W; j++) acc[v][j] = init ? AK_V_SET1(init[j]) : AK_V_ZERO();
    }
    for (ptrdiff_t k = 0; k < job->depth; k++) {
        const float *ak = a + k * job->a_depth_stride;
        const float *bk = b + k * bs;
        ak_v bj[6];
        AK_UNROLL
        for (int j = 0; j < W; j++) bj[j] = AK_V_SET1(bk[j]);
        AK_UNROLL
        for (int v = 0; v < V; v++) {
            ak_v av = v < V - 1 ? AK_V_LOAD(ak + v * AK_LANES) : AK_V_LOADM(ak + v * AK_LANES, last);
            AK_UNROLL
            for (int j = 0; j < W; j++) acc[v][j] = AK_MADD(FUSED, acc[v][j], av, bj[j]);
        }
    }
    AK_UNROLL
    for (int v = 0; v < V; v++) {
        int count = v < V - 1 ? AK_LANES : lanes;
        AK_UNROLL
        for (int j = 0; j < W; j++) {
            float values[AK_LANES];
            AK_V_STORE(values, acc[v][j]);
            for (int i = 0; i < count; i++) {
                float *out = c + (v * AK_LANES + i) * job->c_stride + j;
                if (UPDATE) {
                    ak_update_one(job, AK_PANEL, out, values[i]);
                } else {
                    *out = values[i];
                }
            }
        }
    }
}

/// Most row vectors side by side for a panel of W columns: W x V accumulators, W broadcasts and a row of a
/// within the set's registers.
#define AK_ROW_VECTORS(W) ((W) == 1 ? 6 : (W) == 2 ? 5 : 3)

#define AK_ROW_PANEL_CASE(W, V) \
    case V: AK_NAME(row_panel_wv)(W, V, update, fused, job, a + m, b, bs, init, c + m * job->c_stride, lanes); break;
#define AK_ROW_PANEL_W(W)                                                                                  \
    for (ptrdiff_t m = 0; m < count;) {                                                                     \
        ptrdiff_t vectors = (count - m + AK_LANES - 1) / AK_LANES;                                          \
        int v = (int)(vectors < AK_ROW_VECTORS(W) ? vectors : AK_ROW_VECTORS(W));                           \
        ptrdiff_t rows = count - m < v * AK_LANES ? count - m : v * AK_LANES;                               \
        int lanes = (int)(rows - (v - 1) * AK_LANES);                                                       \
        switch (v) {                                                                                        \
        AK_ROW_PANEL_CASE(W, 6) AK_ROW_PANEL_CASE(W, 5) AK_ROW_PANEL_CASE(W, 4)                             \
        AK_ROW_PANEL_CASE(W, 3) AK_ROW_PANEL_CASE(W, 2)                                                     \
        default: AK_NAME(row_panel_wv)(W, 1, update, fused, job, a + m, b, bs, init, c + m * job->c_stride, lanes); break; \
        }                                                                                                   \
        m += rows;                                                                                          \
    }

/// A panel of 5 or 6 columns: two vectors of rows side by side (the last vector alone), so that each step of
/// depth reads a whole cache line of a at AVX2, where one vector of rows would read half of one and leave
/// the other half to be fetched again for the next vector.
#define AK_ROW_PANEL_WIDE(W)                                                                               \
    for (ptrdiff_t m = 0; m < count;) {                                                                     \
        ptrdiff_t rows = count - m < 2 * AK_LANES ? count - m : 2 * AK_LANES;                               \
        if (rows > AK_LANES) {                                                                              \
            AK_NAME(row_panel_wv)(W, 2, update, fused, job, a + m, b, bs, init, c + m * job->c_stride,             \
                                  (int)(rows - AK_LANES));                                                  \
        } else {                                                                                            \
            AK_NAME(row_panel_wv)(W, 1, update, fused, job, a + m, b, bs, init, c + m * job->c_stride, (int)rows); \
        }                                                                                                   \
        m += rows;                                                                                          \
    }

/// A panel of 1 to 6 columns.
AK_INLINE void AK_NAME(row_panel_6)(int width, const bool update, const bool fused, const struct ak_product *job,
                                   const float *a, const float *b, ptrdiff_t bs, const float *init, float *c,
                                   ptrdiff_t count) {
    switch (width) {
    case 6: AK_ROW_PANEL_WIDE(6) break;
    case 5: AK_ROW_PANEL_WIDE(5) break;
    case 4: AK_ROW_PANEL_W(4) break;
    case 3: AK_ROW_PANEL_W(3) break;
    case 2: AK_ROW_PANEL_W(2) break;
    default: AK_ROW_PANEL_W(1) break;
    }
}

/// A panel of 1 to AK_ROW_PANEL_COLUMNS columns: wider than 6, as two panels. (Not recursive: `update` and
/// `fused` must stay constants in the inlined loops.)
AK_INLINE void AK_NAME(row_panel_any)(int width, const bool update, const bool fused, const struct ak_product *job,
                                     const float *a, const float *b, ptrdiff_t bs, const float *init, float *c,
                                     ptrdiff_t count) {
    if (width <= 6) {
        AK_NAME(row_panel_6)(width, update, fused, job, a, b, bs, init, c, count);
        return;
    }
    int left = (width + 1) / 2;
    AK_NAME(row_panel_6)(left, update, fused, job, a, b, bs, init, c, count);
    AK_NAME(row_panel_6)(width - left, update, fused, job, a, b + left, bs, init ? init + left : NULL, c + left, count);
}

/// The row-vectorized panels of a product that stores c, and of one that updates (apart, as the blocks),
/// each without and with fused multiply-adds (job->fused).
static __attribute__((noinline)) AK_TARGET void AK_NAME(row_panel)(int width, const struct ak_product *job, const float *a,
                                                                   const float *b, ptrdiff_t bs, const float *init,
                                                                   float *c, ptrdiff_t count) {
    if (job->fused) {
        AK_NAME(row_panel_any)(width, false, true, job, a, b, bs, init, c, count);
    } else {
        AK_NAME(row_panel_any)(width, false, false, job, a, b, bs, init, c, count);
    }
}

static __attribute__((noinline)) AK_TARGET void AK_NAME(row_panel_update)(int width, const struct ak_product *job,
                                                                          const float *a, const float *b,
                                                                          ptrdiff_t bs, float *c, ptrdiff_t count) {
    if (job->fused) {
        AK_NAME(row_panel_any)(width, true, true, job, a, b, bs, NULL, c, count);
    } else {
        AK_NAME(row_panel_any)(width, true, false, job, a, b, bs, NULL, c, count);
    }
}

#undef AK_ROW_VECTORS
#undef AK_ROW_PANEL_CASE
#undef AK_ROW_PANEL_W
#undef AK_ROW_PANEL_WIDE

/// Where the panel of columns `[n, n + width)` of a product reads b, and how its columns split into full
/// vectors and a tail.
struct AK_NAME(panel) {
    const float *b;
    ptrdiff_t bs;
    int width, nf, rest, tk;
    ak_mask tail;
};

AK_INLINE struct AK_NAME(panel) AK_NAME(panel_at)(const struct ak_product *job, ptrdiff_t n) {
    ptrdiff_t width = job->columns - n < AK_PANEL ? job->columns - n : AK_PANEL;
    struct AK_NAME(panel) p;
    p.b = job->packed ? job->packed + n * job->depth : job->b + n;
    p.bs = job->packed ? width : job->b_depth_stride;
    p.width = (int)width;
    p.nf = (int)(width / AK_LANES);
    p.rest = (int)(width - (ptrdiff_t)p.nf * AK_LANES);
    p.tk = p.rest == 0 ? 0 : p.rest <= 4 ? 1 : p.rest <= 8 ? 2 : 3;
    p.tail = AK_MASK(p.rest);
    return p;
}

/// Whether the panel is narrow enough to be summed across rows by row_panel, when a's rows are adjacent and
/// there are a vector's worth of them: 4 columns or fewer with no full vector (a wide product's last), or a
/// product of at most AK_ROW_PANEL_COLUMNS columns (the big network's 10 outputs): so few columns leave
/// lanes of a column-vectorized block idle (10 columns use 10 of 16 lanes at either width), while vectors of
/// rows fill every lane.
AK_INLINE bool AK_NAME(is_row_panel)(const struct ak_product *job, struct AK_NAME(panel) p, ptrdiff_t count) {
    return ((p.nf == 0 && p.rest <= 4) || job->columns <= AK_ROW_PANEL_COLUMNS) && count >= AK_LANES &&
           job->a_row_stride == 1;
}

/// The deepest product whose updating blocks copy their rows of a first (see product_rows).
#define AK_PACKED_A_DEPTH 256

/// Rows `[first, first + count)` of the product `job` describes: panels of AK_PANEL columns, blocks of
/// AK_BLOCK_ROWS rows. A panel's rows of b are read in place, or from `job->packed` when the product was big
/// enough to pack (each panel's rows contiguous there: see struct ak_packing).
static AK_TARGET void AK_NAME(product_rows)(const struct ak_product *job, ptrdiff_t first, ptrdiff_t count) {
    const float *a = job->a + first * job->a_row_stride, *init = job->init;
    float *c = job->c + first * job->c_stride;
    // A product that updates (all its panels but a narrow one alone, which is below) goes by block rows
    // outside, panels inside: each block row updates whole rows of parameters and velocities, one contiguous
    // stretch of memory after another. Panel by panel, the updates would go down the columns of those big
    // arrays and push a's rows out of the cache, losing what fusing the update saves. A transposed a (rows
    // adjacent) is first copied into `packed_a`, block row by block row, its steps of depth one after
    // another: read once per panel, it would otherwise take a new cache line at every step.
    if (job->update && !AK_NAME(is_row_panel)(job, AK_NAME(panel_at)(job, 0), count)) {
        float packed_a[AK_BLOCK_ROWS * AK_PACKED_A_DEPTH];
        // (Not for a single panel, which would read the copy only once: the copy would cost more than it saves.)
        bool pack_a = job->depth <= AK_PACKED_A_DEPTH && job->a_row_stride == 1 && job->a_depth_stride != 1 &&
                      job->columns > AK_PANEL;
        for (ptrdiff_t m = 0; m < count; m += AK_BLOCK_ROWS) {
            int rb = (int)(count - m < AK_BLOCK_ROWS ? count - m : AK_BLOCK_ROWS);
            const float *block_a = a + m * job->a_row_stride;
            ptrdiff_t ars = job->a_row_stride, ads = job->a_depth_stride;
            if (pack_a) {
                for (ptrdiff_t k = 0; k < job->depth; k++) {
                    for (int r = 0; r < rb; r++) packed_a[k * rb + r] = block_a[k * ads + r * ars];
                }
                block_a = packed_a;
                ars = 1;
                ads = rb;
            }
            for (ptrdiff_t n = 0; n < job->columns; n += AK_PANEL) {
                struct AK_NAME(panel) p = AK_NAME(panel_at)(job, n);
                if (AK_NAME(is_row_panel)(job, p, count)) continue;  // below
                // The block's place in the panels of packed_w (see ak_update_one).
                float *packed = job->packed_w ? job->packed_w + n * job->rows + (first + m) * p.width : NULL;
                (job->fused ? AK_NAME(dispatch_update_fused) : AK_NAME(dispatch_update))(
                    rb, p.nf, p.tk, block_a, ars, ads, p.b, p.bs, c + m * job->c_stride + n, job->c_stride,
                    job->depth, p.tail, job, packed);
            }
        }
    }
    for (ptrdiff_t n = 0; n < job->columns; n += AK_PANEL) {
        struct AK_NAME(panel) p = AK_NAME(panel_at)(job, n);
        if (AK_NAME(is_row_panel)(job, p, count)) {
            if (job->update) {
                AK_NAME(row_panel_update)(p.width, job, a, p.b, p.bs, c + n, count);
            } else {
                AK_NAME(row_panel)(p.width, job, a, p.b, p.bs, init ? init + n : NULL, c + n, count);
            }
            continue;
        }
        if (job->update) continue;  // done above
#ifdef AK_TRANSPOSED_PANEL
        // Up to one block of rows, the column-vectorized block is used: the transposes the row-vectorized one
        // needs cost more than they save on so few rows.
        if (p.nf == 0 && p.rest <= 4 && job->a_depth_stride == 1 && count > AK_BLOCK_ROWS) {
            AK_TRANSPOSED_PANEL(p.rest, job->fused, a, job->a_row_stride, job->depth, p.b, p.bs,
                                init ? init + n : NULL, c + n, job->c_stride, count);
            continue;
        }
#endif
        for (ptrdiff_t m = 0; m < count; m += AK_BLOCK_ROWS) {
            int rb = (int)(count - m < AK_BLOCK_ROWS ? count - m : AK_BLOCK_ROWS);
            (job->fused ? AK_NAME(dispatch_fused) : AK_NAME(dispatch))(
                rb, p.nf, p.tk, a + m * job->a_row_stride, job->a_row_stride, job->a_depth_stride, p.b, p.bs,
                init ? init + n : NULL, c + m * job->c_stride + n, job->c_stride, job->depth, p.tail);
        }
    }
}

/// Panels `[first, first + count)` of the product `job` describes, all its rows: the split of a shared product
/// with few rows (a batch) and many columns, so that each thread reads (and packs) only its panels of b.
static AK_TARGET void AK_NAME(product_panels)(const struct ak_product *job, ptrdiff_t first, ptrdiff_t count) {
    struct ak_product panels = *job;
    ptrdiff_t n = first * AK_PANEL, end = (first + count) * AK_PANEL;
    if (end > job->columns) end = job->columns;
    panels.columns = end - n;
    panels.c = job->c + n;
    panels.init = job->init ? job->init + n : NULL;
    if (job->packs_panels) {
        struct ak_packing packing = {.b = job->b, .b_depth_stride = job->b_depth_stride,
                                     .b_column_stride = job->b_column_stride, .packed = (float *)job->packed,
                                     .columns = job->columns, .depth = job->depth, .panel = AK_PANEL,
                                     .by_blocks = job->packs_by_blocks};
        ak_pack_panels(&packing, first, count);
    }
    if (job->packed) {
        panels.packed = job->packed + n * job->depth;
    } else {
        panels.b = job->b + n;
    }
    AK_NAME(product_rows)(&panels, 0, job->rows);
}

AK_INLINE void AK_NAME(sgd_loop)(float *w, float *v, const float *g, ptrdiff_t count, ak_v r, ak_v m,
                                 const bool momentum, const bool nesterov) {
    ptrdiff_t full = count / AK_LANES * AK_LANES;
    ak_mask tail = AK_MASK((int)(count - full));
    for (ptrdiff_t i = 0; i < full; i += AK_LANES) {
        AK_NAME(sgd_step)(w + i, v + i, AK_V_LOAD(g + i), true, tail, r, m, momentum, nesterov);
    }
    if (full < count) {
        AK_NAME(sgd_step)(w + full, v + full, AK_V_LOADM(g + full, tail), false, tail, r, m, momentum, nesterov);
    }
}

/// Parameters `[first, first + count)` of an SGD update.
static AK_TARGET void AK_NAME(sgd)(const struct ak_sgd *sgd, ptrdiff_t first, ptrdiff_t count) {
    float *w = sgd->w + first, *v = sgd->v + first;
    const float *g = sgd->g + first;
    const ak_v r = AK_V_SET1(sgd->rate), m = AK_V_SET1(sgd->momentum);
    // One loop per rule, so the rule is decided outside it.
    if (sgd->momentum == 0) {
        AK_NAME(sgd_loop)(w, v, g, count, r, m, false, false);
    } else if (sgd->nesterov) {
        AK_NAME(sgd_loop)(w, v, g, count, r, m, true, true);
    } else {
        AK_NAME(sgd_loop)(w, v, g, count, r, m, true, false);
    }
}

AK_INLINE void AK_NAME(column_sum)(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums, const bool whole,
                                   ak_mask mask) {
    ak_v sum = AK_V_ZERO();
    for (ptrdiff_t r = 0; r < rows; r++) sum = AK_V_ADD(sum, AK_NAME(load)(x + r * columns, whole, mask));
    AK_NAME(store)(sums, whole, mask, sum);
}

static AK_TARGET void AK_NAME(column_sums)(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums) {
    ptrdiff_t full = columns / AK_LANES * AK_LANES;
    ak_mask tail = AK_MASK((int)(columns - full));
    for (ptrdiff_t n = 0; n < full; n += AK_LANES) AK_NAME(column_sum)(x + n, rows, columns, sums + n, true, tail);
    if (full < columns) AK_NAME(column_sum)(x + full, rows, columns, sums + full, false, tail);
}

static AK_TARGET void AK_NAME(relu_forward)(float *a, const float *z, ptrdiff_t count) {
    ptrdiff_t full = count / AK_LANES * AK_LANES;
    ak_mask tail = AK_MASK((int)(count - full));
    for (ptrdiff_t i = 0; i < full; i += AK_LANES) {
        ak_v zi = AK_V_LOAD(z + i);
        AK_V_STORE(a + i, AK_V_RELU_MASK(zi, zi));
    }
    if (full < count) {
        ak_v zi = AK_V_LOADM(z + full, tail);
        AK_V_STOREM(a + full, tail, AK_V_RELU_MASK(zi, zi));
    }
}

static AK_TARGET void AK_NAME(relu_backward)(float *gradient, const float *z, ptrdiff_t count) {
    ptrdiff_t full = count / AK_LANES * AK_LANES;
    ak_mask tail = AK_MASK((int)(count - full));
    for (ptrdiff_t i = 0; i < full; i += AK_LANES) {
        AK_V_STORE(gradient + i, AK_V_RELU_MASK(AK_V_LOAD(gradient + i), AK_V_LOAD(z + i)));
    }
    if (full < count) {
        ak_v g = AK_V_LOADM(gradient + full, tail);
        AK_V_STOREM(gradient + full, tail, AK_V_RELU_MASK(g, AK_V_LOADM(z + full, tail)));
    }
}

static AK_TARGET void AK_NAME(gather_rows)(float *destination, const float *source, ptrdiff_t width,
                                           const ptrdiff_t *rows, ptrdiff_t count) {
    if (width == 1) {  // a label column: one scalar per row
        for (ptrdiff_t k = 0; k < count; k++) destination[k] = source[rows[k]];
        return;
    }
    ptrdiff_t full = width / AK_LANES * AK_LANES;
    ak_mask tail = AK_MASK((int)(width - full));
    for (ptrdiff_t k = 0; k < count; k++) {
        const float *from = source + rows[k] * width;
        float *to = destination + k * width;
        for (ptrdiff_t i = 0; i < full; i += AK_LANES) AK_V_STORE(to + i, AK_V_LOAD(from + i));
        if (full < width) AK_V_STOREM(to + full, tail, AK_V_LOADM(from + full, tail));
    }
}

/// Rows `[first, first + count)` of a gather; when it also writes them transposed, they are transposed from
/// the rows just written, which are still in the cache.
static AK_TARGET void AK_NAME(gather)(const struct ak_gather *gather, ptrdiff_t first, ptrdiff_t count) {
    AK_NAME(gather_rows)(gather->destination + first * gather->width, gather->source, gather->width,
                         gather->rows + first, count);
    if (gather->transposed) {
        struct ak_transpose transpose = {.matrix = gather->destination, .transposed = gather->transposed,
                                         .rows = gather->count, .columns = gather->width};
        AK_TRANSPOSE_PART(&transpose, first, count);
    }
}

/// This level's kernels (KernelsInternal.h's struct ak_kernels), for Dispatch.c and Products.c.
ANNEAL_KERNELS_INTERNAL const struct ak_kernels AK_NAME(kernels) = {
    .panel_columns = AK_PANEL,
    .block_rows = AK_BLOCK_ROWS,
    .product_rows = AK_NAME(product_rows),
    .product_panels = AK_NAME(product_panels),
    .sgd = AK_NAME(sgd),
    .transpose = AK_TRANSPOSE_PART,
    .gather = AK_NAME(gather),
    .column_sums = AK_NAME(column_sums),
    .relu_forward = AK_NAME(relu_forward),
    .relu_backward = AK_NAME(relu_backward),
};

#undef AK_INLINE
#undef AK_MADD
#undef AK_MADD8
#undef AK_MADD4
#undef AK_MADD_AT
#undef AK_MADD8_AT
#undef AK_MADD4_AT
#undef AK_V_MUL_AT
#undef AK_V_FMA_AT
#undef AK_8_MUL_AT
#undef AK_8_FMA_AT
#undef AK_4_MUL_AT
#undef AK_4_FMA_AT
#undef AK_PANEL
#undef AK_PACKED_A_DEPTH
#undef AK_PREFETCH
// The level's definitions, but for the narrow tails' arithmetic (ak_v8, ak_v4, AK_8_x and AK_4_x but their
// masked loads and stores), which the x86 levels share.
#undef AK_NAME
#undef AK_TARGET
#undef AK_LANES
#undef AK_BLOCK_ROWS
#undef AK_BLOCK_VECTORS
#undef AK_MASK
#undef AK_MASK_LANES
#undef AK_V_ZERO
#undef AK_V_LOAD
#undef AK_V_STORE
#undef AK_V_SET1
#undef AK_V_ADD
#undef AK_V_SUB
#undef AK_V_MUL
#undef AK_V_FMA
#undef AK_V_LOADM
#undef AK_V_STOREM
#undef AK_8_LOADM
#undef AK_8_STOREM
#undef AK_4_LOADM
#undef AK_4_STOREM
#undef AK_V_RELU_MASK
#undef AK_TRANSPOSE_PART
#undef AK_TRANSPOSED_PANEL
#undef ak_v
#undef ak_mask
