;; Histogram kernel of gradient boosting (docs/decisions/0009-wasm-training-kernels.md). Compiled by
;; scripts/build-wasm.mjs into histograms-wasm.ts, loaded by kernels.ts; gradient-boosting.ts
;; lays out the memory.
;;
;; A histogram is p features × 256 bins × 32 bytes: per bin the sum of gradients and the sum of
;; hessians (one f64x2, added with one SIMD add) and the row count (f64), then 8 bytes of padding
;; so that a bin never straddles a cache line. Gradients and hessians are interleaved per row
;; (16 bytes: one v128 load); the bins are row-major, p bytes per row.
(module
  (import "env" "memory" (memory 1))

  ;; Adds the rows index[lo..hi) (i32 row numbers at $index) into the zeroed histogram at $hist.
  (func (export "build")
    (param $hist i32) (param $bins i32) (param $p i32) (param $gh i32) (param $index i32) (param $lo i32) (param $hi i32)
    (local $r i32) (local $end_r i32) (local $i i32) (local $v v128) (local $row i32) (local $end i32) (local $end4 i32)
    (local $h i32) (local $a i32)
    (local.set $r (i32.add (local.get $index) (i32.shl (local.get $lo) (i32.const 2))))
    (local.set $end_r (i32.add (local.get $index) (i32.shl (local.get $hi) (i32.const 2))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $end_r)))
        (local.set $i (i32.load (local.get $r)))
        (local.set $v (v128.load (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4)))))
        (local.set $row (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $p))))
        (local.set $end (i32.add (local.get $row) (local.get $p)))
        (local.set $end4 (i32.sub (local.get $end) (i32.and (local.get $p) (i32.const 3))))
        (local.set $h (local.get $hist))
        ;; Four features per step: their independent read-modify-writes overlap.
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $row) (local.get $end4)))
            (local.set $a (i32.add (local.get $h) (i32.shl (i32.load8_u (local.get $row)) (i32.const 5))))
            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
            (f64.store offset=16 (local.get $a) (f64.add (f64.load offset=16 (local.get $a)) (f64.const 1)))
            (local.set $a (i32.add (local.get $h) (i32.shl (i32.load8_u offset=1 (local.get $row)) (i32.const 5))))
            (v128.store offset=8192 (local.get $a) (f64x2.add (v128.load offset=8192 (local.get $a)) (local.get $v)))
            (f64.store offset=8208 (local.get $a) (f64.add (f64.load offset=8208 (local.get $a)) (f64.const 1)))
            (local.set $a (i32.add (local.get $h) (i32.shl (i32.load8_u offset=2 (local.get $row)) (i32.const 5))))
            (v128.store offset=16384 (local.get $a) (f64x2.add (v128.load offset=16384 (local.get $a)) (local.get $v)))
            (f64.store offset=16400 (local.get $a) (f64.add (f64.load offset=16400 (local.get $a)) (f64.const 1)))
            (local.set $a (i32.add (local.get $h) (i32.shl (i32.load8_u offset=3 (local.get $row)) (i32.const 5))))
            (v128.store offset=24576 (local.get $a) (f64x2.add (v128.load offset=24576 (local.get $a)) (local.get $v)))
            (f64.store offset=24592 (local.get $a) (f64.add (f64.load offset=24592 (local.get $a)) (f64.const 1)))
            (local.set $row (i32.add (local.get $row) (i32.const 4)))
            (local.set $h (i32.add (local.get $h) (i32.const 32768)))
            (br $quads)))
        (block $rest_done
          (loop $rest
            (br_if $rest_done (i32.ge_u (local.get $row) (local.get $end)))
            (local.set $a (i32.add (local.get $h) (i32.shl (i32.load8_u (local.get $row)) (i32.const 5))))
            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
            (f64.store offset=16 (local.get $a) (f64.add (f64.load offset=16 (local.get $a)) (f64.const 1)))
            (local.set $row (i32.add (local.get $row) (i32.const 1)))
            (local.set $h (i32.add (local.get $h) (i32.const 8192)))
            (br $rest)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows))))

  ;; $dst -= $src over $bytes bytes (a multiple of 16): the larger child's histograms from the
  ;; parent's and the smaller child's.
  (func (export "subtract") (param $dst i32) (param $src i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (local.get $bytes)))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst) (f64x2.sub (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $words))))
  ;; Partitions rows index[lo..hi) stably by feature bin (at byte $bins + p i for row i): rows with
  ;; a bin at most $bin, or the missing bin 255 when $missing_left is 1, first; the others after
  ;; them, through the scratch rows at $right. Branch-free: which side a row goes to is as good as
  ;; random, so each row is written to both sides and one of the two ends advances. Returns the
  ;; position of the first right row.
  (func (export "partition")
    (param $index i32) (param $lo i32) (param $hi i32) (param $bins i32) (param $p i32) (param $bin i32) (param $missing_left i32) (param $right i32)
    (result i32)
    (local $r i32) (local $end i32) (local $a i32) (local $rr i32) (local $i i32) (local $b i32) (local $left i32)
    (local.set $r (i32.add (local.get $index) (i32.shl (local.get $lo) (i32.const 2))))
    (local.set $end (i32.add (local.get $index) (i32.shl (local.get $hi) (i32.const 2))))
    (local.set $a (local.get $r))
    (local.set $rr (local.get $right))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $i (i32.load (local.get $r)))
        (local.set $b (i32.load8_u (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $p)))))
        (local.set $left (i32.or (i32.le_u (local.get $b) (local.get $bin))
          (i32.and (i32.eq (local.get $b) (i32.const 255)) (local.get $missing_left))))
        (i32.store (local.get $a) (local.get $i))
        (i32.store (local.get $rr) (local.get $i))
        (local.set $a (i32.add (local.get $a) (i32.shl (local.get $left) (i32.const 2))))
        (local.set $rr (i32.add (local.get $rr) (i32.shl (i32.xor (local.get $left) (i32.const 1)) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows)))
    (memory.copy (local.get $a) (local.get $right) (i32.sub (local.get $rr) (local.get $right)))
    (i32.shr_u (i32.sub (local.get $a) (local.get $index)) (i32.const 2))))
