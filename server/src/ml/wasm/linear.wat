;; Kernels of logistic regression's objective (docs/decisions/0008-wasm-training-kernels.md). Compiled by
;; scripts/build-wasm.mjs into linear-wasm.ts, loaded by kernels.ts; logistic-regression.ts
;; lays out the memory and computes the losses and residuals between the two passes.
;;
;; The features are column-major f64 columns $stride bytes apart, each padded with zeros to an
;; even number of rows, so a block's rows go two at a time (f64x2) with no scalar tail; $lo is
;; even and $m even. Four columns per pass: a quarter of the loads and stores of the scores.
(module
  (import "env" "memory" (memory 1))

  ;; z[0..m) = b + Σ_j w[j] x[j][lo + r]: the scores of one output for a block of rows.
  (func (export "scores")
    (param $x i32) (param $stride i32) (param $p i32) (param $w i32) (param $b f64) (param $z i32) (param $lo i32) (param $m i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $r i32) (local $end i32) (local $j i32) (local $at i32)
    (local.set $end (i32.add (local.get $z) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $w0 (f64x2.splat (local.get $b)))
    (local.set $r (local.get $z))
    (block $filled (loop $fill
      (br_if $filled (i32.ge_u (local.get $r) (local.get $end)))
      (v128.store (local.get $r) (local.get $w0))
      (local.set $r (i32.add (local.get $r) (i32.const 16)))
      (br $fill)))
    (local.set $c0 (i32.add (local.get $x) (i32.shl (local.get $lo) (i32.const 3))))
    (block $quads_done (loop $quads
      (br_if $quads_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $p)))
      (local.set $c1 (i32.add (local.get $c0) (local.get $stride)))
      (local.set $c2 (i32.add (local.get $c1) (local.get $stride)))
      (local.set $c3 (i32.add (local.get $c2) (local.get $stride)))
      (local.set $at (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $w0 (v128.load64_splat (local.get $at)))
      (local.set $w1 (v128.load64_splat offset=8 (local.get $at)))
      (local.set $w2 (v128.load64_splat offset=16 (local.get $at)))
      (local.set $w3 (v128.load64_splat offset=24 (local.get $at)))
      (local.set $r (i32.const 0))
      (local.set $at (local.get $z))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $at) (local.get $end)))
        ;; ((w0 c0 + w1 c1) + w2 c2) + w3 c3, then added to the score: the order of the JS loop it replaced.
        (v128.store (local.get $at)
          (f64x2.add (v128.load (local.get $at))
            (f64x2.add
              (f64x2.add
                (f64x2.add
                  (f64x2.mul (local.get $w0) (v128.load (i32.add (local.get $c0) (local.get $r))))
                  (f64x2.mul (local.get $w1) (v128.load (i32.add (local.get $c1) (local.get $r)))))
                (f64x2.mul (local.get $w2) (v128.load (i32.add (local.get $c2) (local.get $r)))))
              (f64x2.mul (local.get $w3) (v128.load (i32.add (local.get $c3) (local.get $r)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $rows)))
      (local.set $c0 (i32.add (local.get $c3) (local.get $stride)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $quads)))
    (block $cols_done (loop $cols
      (br_if $cols_done (i32.ge_u (local.get $j) (local.get $p)))
      (local.set $w0 (v128.load64_splat (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $r (i32.const 0))
      (local.set $at (local.get $z))
      (block $rows1_done (loop $rows1
        (br_if $rows1_done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (local.get $at)
          (f64x2.add (v128.load (local.get $at)) (f64x2.mul (local.get $w0) (v128.load (i32.add (local.get $c0) (local.get $r))))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $rows1)))
      (local.set $c0 (i32.add (local.get $c0) (local.get $stride)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $cols))))

  ;; grad[j] += Σ_r e[r] x[j][lo + r] for every column, and grad[p] += Σ_r e[r] (the intercept):
  ;; one output's gradient from the residuals e of a block of rows.
  (func (export "gradient")
    (param $x i32) (param $stride i32) (param $p i32) (param $e i32) (param $lo i32) (param $m i32) (param $grad i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128)
    (local $v v128) (local $r i32) (local $end i32) (local $j i32) (local $at i32)
    (local.set $end (i32.add (local.get $e) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $c0 (i32.add (local.get $x) (i32.shl (local.get $lo) (i32.const 3))))
    (block $quads_done (loop $quads
      (br_if $quads_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $p)))
      (local.set $c1 (i32.add (local.get $c0) (local.get $stride)))
      (local.set $c2 (i32.add (local.get $c1) (local.get $stride)))
      (local.set $c3 (i32.add (local.get $c2) (local.get $stride)))
      (local.set $g0 (v128.const i64x2 0 0))
      (local.set $g1 (v128.const i64x2 0 0))
      (local.set $g2 (v128.const i64x2 0 0))
      (local.set $g3 (v128.const i64x2 0 0))
      (local.set $r (i32.const 0))
      (local.set $at (local.get $e))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $v (v128.load (local.get $at)))
        (local.set $g0 (f64x2.add (local.get $g0) (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $c0) (local.get $r))))))
        (local.set $g1 (f64x2.add (local.get $g1) (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $c1) (local.get $r))))))
        (local.set $g2 (f64x2.add (local.get $g2) (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $c2) (local.get $r))))))
        (local.set $g3 (f64x2.add (local.get $g3) (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $c3) (local.get $r))))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $rows)))
      (local.set $at (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3))))
      (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
        (f64.add (f64x2.extract_lane 0 (local.get $g0)) (f64x2.extract_lane 1 (local.get $g0)))))
      (f64.store offset=8 (local.get $at) (f64.add (f64.load offset=8 (local.get $at))
        (f64.add (f64x2.extract_lane 0 (local.get $g1)) (f64x2.extract_lane 1 (local.get $g1)))))
      (f64.store offset=16 (local.get $at) (f64.add (f64.load offset=16 (local.get $at))
        (f64.add (f64x2.extract_lane 0 (local.get $g2)) (f64x2.extract_lane 1 (local.get $g2)))))
      (f64.store offset=24 (local.get $at) (f64.add (f64.load offset=24 (local.get $at))
        (f64.add (f64x2.extract_lane 0 (local.get $g3)) (f64x2.extract_lane 1 (local.get $g3)))))
      (local.set $c0 (i32.add (local.get $c3) (local.get $stride)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $quads)))
    ;; The remaining columns, then the intercept as a column of ones.
    (block $cols_done (loop $cols
      (br_if $cols_done (i32.gt_u (local.get $j) (local.get $p)))
      (local.set $g0 (v128.const i64x2 0 0))
      (local.set $r (i32.const 0))
      (local.set $at (local.get $e))
      (block $rows1_done (loop $rows1
        (br_if $rows1_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $v (v128.load (local.get $at)))
        (local.set $g0 (f64x2.add (local.get $g0)
          (if (result v128) (i32.lt_u (local.get $j) (local.get $p))
            (then (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $c0) (local.get $r)))))
            (else (local.get $v)))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $rows1)))
      (local.set $at (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3))))
      (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
        (f64.add (f64x2.extract_lane 0 (local.get $g0)) (f64x2.extract_lane 1 (local.get $g0)))))
      (local.set $c0 (i32.add (local.get $c0) (local.get $stride)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $cols)))))
