;; Kernels of logistic regression's objective (docs/decisions/0009-wasm-training-kernels.md). Compiled by
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
      (br $cols))))
  ;; e^x for x <= 0, two at a time, within 2 ulp of the exact value: x = k ln 2 + r with |r| <= ln 2 / 2
  ;; (ln 2 in two parts, fdlibm's, so k ln2_hi is exact), e^r by its Taylor series to r^13 (the rest
  ;; is below 1e-17 relative), times 2^k built from its bits. Below -708 the argument is clamped:
  ;; e^-708 is 3e-308, and 1 + e^x is then 1 as for any smaller x.
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $q v128)
    (local.set $x (f64x2.pmax (local.get $x) (f64x2.splat (f64.const -708))))
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $x) (f64x2.splat (f64.const 1.4426950408889634)))))
    (local.set $r (f64x2.sub
      (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (f64x2.splat (f64.const 6.93147180369123816490e-01))))
      (f64x2.mul (local.get $k) (f64x2.splat (f64.const 1.90821492927058770002e-10)))))
    (local.set $q (f64x2.splat (f64.const 1.6059043836821613e-10)))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 2.08767569878681e-09)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 2.505210838544172e-08)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 2.755731922398589e-07)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 2.7557319223985893e-06)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 2.48015873015873e-05)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 1.984126984126984e-04)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 1.388888888888889e-03)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 8.333333333333333e-03)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 4.1666666666666664e-02)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 1.6666666666666666e-01)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $q) (local.get $r))))
    (local.set $q (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $q) (local.get $r))))
    (f64x2.mul (local.get $q)
      (i64x2.shl
        (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (i64x2.splat (i64.const 1023)))
        (i32.const 52))))

  ;; The binary log-loss of a block of m rows (m even) and its residuals: the scores z[0..m)
  ;; become σ(z) − y in place (y[0..m) are 0 or 1, as f64). log(1 + e^z) − y z is split as
  ;; max(z, 0) − y z, summed into out[0], plus log(1 + e^−|z|), whose factors 1 + e^−|z| (each
  ;; at most 2) are multiplied into out[1]: a block of at most 1,000 rows stays finite, and the
  ;; caller takes one logarithm per block. σ(z) comes from the same e^−|z|, stable for either sign.
  (func (export "logisticResiduals") (param $z i32) (param $y i32) (param $m i32) (param $out i32)
    (local $end i32) (local $zv v128) (local $yv v128) (local $e v128) (local $one_e v128)
    (local $lin v128) (local $prod v128)
    (local.set $end (i32.add (local.get $z) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $prod (f64x2.splat (f64.const 1)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $z) (local.get $end)))
        (local.set $zv (v128.load (local.get $z)))
        (local.set $yv (v128.load (local.get $y)))
        (local.set $e (call $exp (f64x2.neg (f64x2.abs (local.get $zv)))))
        (local.set $one_e (f64x2.add (f64x2.splat (f64.const 1)) (local.get $e)))
        (local.set $lin (f64x2.add (local.get $lin)
          (f64x2.sub (f64x2.pmax (local.get $zv) (f64x2.splat (f64.const 0))) (f64x2.mul (local.get $yv) (local.get $zv)))))
        (local.set $prod (f64x2.mul (local.get $prod) (local.get $one_e)))
        (v128.store (local.get $z)
          (f64x2.sub
            (f64x2.div
              (v128.bitselect (f64x2.splat (f64.const 1)) (local.get $e) (f64x2.gt (local.get $zv) (f64x2.splat (f64.const 0))))
              (local.get $one_e))
            (local.get $yv)))
        (local.set $z (i32.add (local.get $z) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $rows)))
    (f64.store (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $lin)) (f64x2.extract_lane 1 (local.get $lin))))
    (f64.store offset=8 (local.get $out) (f64.mul (f64x2.extract_lane 0 (local.get $prod)) (f64x2.extract_lane 1 (local.get $prod))))))
