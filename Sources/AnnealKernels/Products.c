// The matrix products' plan: whether b is read in place or packed into panels first (by the caller, or by each
// thread for its own panels), whether the product is shared with the helper thread, by rows or by panels of
// columns; and the entry points anneal_kernels_gemm, _gemm_packed, _gemm_sgd, _pack and _packed_size. The
// products themselves are the levels' (KernelsISA.h); how a product is split never changes what a c[m][n] sums.
#include "KernelsInternal.h"

#pragma STDC FP_CONTRACT OFF

/// An argument that came on the stack (the entry points' seventh and later), read as its own 8 bytes. The
/// caller pushes each with an 8-byte store; building a struct ak_product, clang would read two neighbours with
/// one 16-byte load, which the processor cannot forward from two stores still in flight, so the load waits for
/// both to reach the cache: on every product, the tutorial's most frequent call.
#define AK_STACKED(x) ({ __typeof__(x) ak_stacked_ = (x); __asm__("" : "+r"(ak_stacked_)); ak_stacked_; })

/// Whether `level` packs a b read transposed with its depth contiguous 8 x 8 in AVX2 registers (the x86 levels).
static bool ak_packs_by_blocks(anneal_kernels_level level, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride) {
    return ANNEAL_HAVE_X86 && level >= ANNEAL_KERNELS_AVX2 && b_depth_stride == 1 && b_column_stride != 1;
}

/// Copies b (depth x columns) into panels at `packed` (see struct ak_packing), shared with the helper when
/// `shared`.
static void ak_pack(anneal_kernels_level level, const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
                    ptrdiff_t columns, ptrdiff_t depth, float *packed, bool shared) {
    const struct ak_kernels *kernels = ak_kernels_at(level);
    ptrdiff_t panel = kernels->panel_columns;
    // A big product's b is packed by both threads, panel by panel: that also has the helper running when the
    // product comes.
    struct ak_job job = {
        .kind = AK_JOB_PACKING, .kernels = kernels, .items = (columns + panel - 1) / panel,
        .packing = {.b = b, .b_depth_stride = b_depth_stride, .b_column_stride = b_column_stride, .packed = packed,
                    .columns = columns, .depth = depth, .panel = panel,
                    .by_blocks = ak_packs_by_blocks(level, b_depth_stride, b_column_stride)}};
    ak_run(&job, shared, 1);
}

/// Whether a product of this shape copies b into panels when b's columns are adjacent (b_column_stride 1,
/// rows `b_depth_stride` apart); a b read transposed is always copied.
static bool ak_packs_b(anneal_kernels_level level, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth,
                       ptrdiff_t b_depth_stride) {
    return ak_product_is_shared(ak_kernels_at(level), rows, columns, depth) &&
           (columns > ak_kernels_at(level)->panel_columns || b_depth_stride != columns);
}

void ak_product_unpacked_rows(const struct ak_product *product, ptrdiff_t panel, ptrdiff_t first, ptrdiff_t count) {
    for (ptrdiff_t m = first; m < first + count; m++) {
        for (ptrdiff_t n = 0; n < product->columns; n++) {
            float sum = product->init ? product->init[n] : 0.0f;
            for (ptrdiff_t k = 0; k < product->depth; k++) {
                float x = product->a[m * product->a_row_stride + k * product->a_depth_stride];
                float y = product->b[k * product->b_depth_stride + n * product->b_column_stride];
                sum = product->fused ? __builtin_fmaf(x, y, sum) : sum + x * y;
            }
            float *out = product->c + m * product->c_stride + n;
            if (product->update) {
                ak_update_one(product, panel, out, sum);
            } else {
                *out = sum;
            }
        }
    }
}

/// Computes `product` (its operands and shape set, and `packed` when b comes packed already) at `level`; sets
/// its plan's fields (fused, packed, packs_panels, packs_by_blocks) on the way.
static void ak_gemm(anneal_kernels_level level, struct ak_product *product) {
    const struct ak_kernels *kernels = ak_kernels_at(level);
    product->fused = ak_product_fuses(product->rows, product->columns, product->depth);
    bool big = ak_product_is_shared(kernels, product->rows, product->columns, product->depth);
    bool in_place = product->b_column_stride == 1;
    if (!big && (in_place || product->packed)) {
        // The small products (a batch of the tutorial's): the level's kernel at once, no job to describe.
        kernels->product_rows(product, 0, product->rows);
        return;
    }
    // A product with a small a (a batch's rows) and many columns is shared by panels of columns: each thread
    // then reads only its panels of b, the big operand (half the memory traffic each), and packs them itself
    // when b needs packing, so the packing is shared too. A big a is shared by rows instead, so that it is
    // read once. So is a product of an odd number of few panels, which the two threads could not split evenly
    // (3 panels against 2 of 5).
    ptrdiff_t panels = (product->columns + kernels->panel_columns - 1) / kernels->panel_columns;
    bool even_panels = panels >= 2 * ANNEAL_KERNELS_PANEL_SPLIT_PANELS || panels % 2 == 0;
    bool by_panels = big && !product->update && panels >= ANNEAL_KERNELS_PANEL_SPLIT_PANELS && even_panels &&
                     (double)product->rows * (double)product->depth <= ANNEAL_KERNELS_PANEL_SPLIT_A;
    if (!product->packed &&
        (!in_place || ak_packs_b(level, product->rows, product->columns, product->depth, product->b_depth_stride))) {
        float *packed = ak_pack_buffer((size_t)product->depth * (size_t)product->columns);
        if (packed) {
            if (by_panels) {
                product->packs_panels = true;
                product->packs_by_blocks = ak_packs_by_blocks(level, product->b_depth_stride, product->b_column_stride);
            } else {
                ak_pack(level, product->b, product->b_depth_stride, product->b_column_stride, product->columns,
                        product->depth, packed, big);
            }
            product->packed = packed;
        } else if (!in_place) {
            struct ak_job job = {.kind = AK_JOB_PRODUCT_UNPACKED, .kernels = kernels, .items = product->rows,
                                 .product = *product};
            ak_run(&job, false, 1);
            return;
        }
    }
    if (by_panels) {
        struct ak_job job = {.kind = AK_JOB_PRODUCT_PANELS, .kernels = kernels, .items = panels, .product = *product};
        ak_run(&job, true, 1);
        return;
    }
    // Shared in chunks of whole register blocks.
    struct ak_job job = {.kind = AK_JOB_PRODUCT, .kernels = kernels, .items = product->rows, .product = *product};
    ak_run(&job, big, kernels->block_rows);
}

void anneal_kernels_gemm(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
    const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth)
{
    ak_gemm(level, &(struct ak_product){
        .a = a, .a_row_stride = a_row_stride, .a_depth_stride = a_depth_stride, .b = b,
        .b_depth_stride = b_depth_stride, .b_column_stride = AK_STACKED(b_column_stride), .init = AK_STACKED(init),
        .c = AK_STACKED(c), .c_stride = AK_STACKED(c_stride), .rows = AK_STACKED(rows),
        .columns = AK_STACKED(columns), .depth = AK_STACKED(depth)});
}

ptrdiff_t anneal_kernels_packed_size(anneal_kernels_level level, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth) {
    return ak_packs_b(level, rows, columns, depth, columns) ? columns * depth : 0;
}

void anneal_kernels_pack(anneal_kernels_level level, const float *b, ptrdiff_t columns, ptrdiff_t depth,
                         float *packed) {
    ak_pack(level, b, columns, 1, columns, depth, packed, anneal_kernels_update_is_shared(columns * depth));
}

void anneal_kernels_gemm_packed(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *packed_b, const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth)
{
    ak_gemm(level, &(struct ak_product){
        .a = a, .a_row_stride = a_row_stride, .a_depth_stride = a_depth_stride, .b = packed_b,
        .b_column_stride = 1, .packed = packed_b, .init = init, .c = AK_STACKED(c),
        .c_stride = AK_STACKED(c_stride), .rows = AK_STACKED(rows), .columns = AK_STACKED(columns),
        .depth = AK_STACKED(depth)});
}

void anneal_kernels_gemm_sgd(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
    float *w, float *v, ptrdiff_t w_stride, float *packed_w,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth,
    float rate, float momentum, bool nesterov)
{
    ak_gemm(level, &(struct ak_product){
        .a = a, .a_row_stride = a_row_stride, .a_depth_stride = a_depth_stride, .b = b,
        .b_depth_stride = b_depth_stride, .b_column_stride = AK_STACKED(b_column_stride), .c = AK_STACKED(w),
        .c_stride = AK_STACKED(w_stride), .rows = AK_STACKED(rows), .columns = AK_STACKED(columns),
        .depth = AK_STACKED(depth), .update = true, .v = AK_STACKED(v), .rate = rate, .momentum = momentum,
        .nesterov = nesterov, .packed_w = AK_STACKED(packed_w)});
}
