;; Tree ensemble scoring kernel (docs/decisions/0009-wasm-training-kernels.md: scoring follows
;; training). Compiled by scripts/build-wasm.mjs into trees-wasm.ts, loaded by kernels.ts;
;; tree-ensemble.ts lays out the memory.
;;
;; A node is 16 bytes: its threshold (f32, NaN for a leaf), the byte offset of its feature's
;; column in a block, the byte offset of its left child (the right child is the next node; a leaf
;; is its own left child) and, for a leaf, the byte offset of its values (f64). A block's rows are
;; column-major f32 (so the eight rows walking together are the same distance apart in every
;; column: one row pointer and constant offsets, no register per row); their outputs are
;; row-major f64 accumulators.
(module
  (import "env" "memory" (memory 1))

  ;; Walks one tree (root node at $root, no walk longer than $depth steps, none shorter than
  ;; $unchecked) for $rows rows (a multiple of 8) of the block at $block, and adds each row's
  ;; leaf: its $width values to the $width f64 from $acc + $acc_stride × row on. Eight rows walk in
  ;; lockstep, each step an index plus a comparison, without a branch: their loads are
  ;; independent, so the processor overlaps them (eight overlap more than four, measured: 0.93× the
  ;; forest's time, 0.8× boosting's). Missing values are not looked at (NaN goes left); the caller
  ;; walks rows with one apart.
  (func (export "walk")
    (param $root i32) (param $unchecked i32) (param $depth i32) (param $block i32)
    (param $rows i32) (param $acc i32) (param $acc_stride i32) (param $width i32)
    (local $r i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)
    (local $d i32) (local $l i32) (local $c i32)
    (local.set $width (i32.shl (local.get $width) (i32.const 3)))
    (local.set $r (local.get $block))
    (block $rows_done
      (loop $groups
        ;; Counted, not compared with an end: the caller pads the rows to a multiple of 8.
        (br_if $rows_done (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $o0 (local.get $root))
        (local.set $o1 (local.get $root))
        (local.set $o2 (local.get $root))
        (local.set $o3 (local.get $root))
        (local.set $o4 (local.get $root))
        (local.set $o5 (local.get $root))
        (local.set $o6 (local.get $root))
        (local.set $o7 (local.get $root))
        (local.set $d (i32.const 0))
        ;; Every walk takes at least $unchecked steps: no look at whether the rows are at leaves.
        (block $unchecked_done
          (loop $steps
            (br_if $unchecked_done (i32.ge_u (local.get $d) (local.get $unchecked)))
            (local.set $o0 (i32.add (i32.load offset=8 (local.get $o0))
              (i32.shl (f32.gt (f32.load offset=0 (i32.add (local.get $r) (i32.load offset=4 (local.get $o0)))) (f32.load (local.get $o0))) (i32.const 4))))
            (local.set $o1 (i32.add (i32.load offset=8 (local.get $o1))
              (i32.shl (f32.gt (f32.load offset=4 (i32.add (local.get $r) (i32.load offset=4 (local.get $o1)))) (f32.load (local.get $o1))) (i32.const 4))))
            (local.set $o2 (i32.add (i32.load offset=8 (local.get $o2))
              (i32.shl (f32.gt (f32.load offset=8 (i32.add (local.get $r) (i32.load offset=4 (local.get $o2)))) (f32.load (local.get $o2))) (i32.const 4))))
            (local.set $o3 (i32.add (i32.load offset=8 (local.get $o3))
              (i32.shl (f32.gt (f32.load offset=12 (i32.add (local.get $r) (i32.load offset=4 (local.get $o3)))) (f32.load (local.get $o3))) (i32.const 4))))
            (local.set $o4 (i32.add (i32.load offset=8 (local.get $o4))
              (i32.shl (f32.gt (f32.load offset=16 (i32.add (local.get $r) (i32.load offset=4 (local.get $o4)))) (f32.load (local.get $o4))) (i32.const 4))))
            (local.set $o5 (i32.add (i32.load offset=8 (local.get $o5))
              (i32.shl (f32.gt (f32.load offset=20 (i32.add (local.get $r) (i32.load offset=4 (local.get $o5)))) (f32.load (local.get $o5))) (i32.const 4))))
            (local.set $o6 (i32.add (i32.load offset=8 (local.get $o6))
              (i32.shl (f32.gt (f32.load offset=24 (i32.add (local.get $r) (i32.load offset=4 (local.get $o6)))) (f32.load (local.get $o6))) (i32.const 4))))
            (local.set $o7 (i32.add (i32.load offset=8 (local.get $o7))
              (i32.shl (f32.gt (f32.load offset=28 (i32.add (local.get $r) (i32.load offset=4 (local.get $o7)))) (f32.load (local.get $o7))) (i32.const 4))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $steps)))
        ;; Then until all eight are at leaves, or $depth steps.
        (block $walks_done
          (loop $steps
            (br_if $walks_done (i32.ge_u (local.get $d) (local.get $depth)))
            (br_if $walks_done (i32.eqz (i32.or (i32.or (i32.or (i32.ne (i32.load offset=8 (local.get $o0)) (local.get $o0)) (i32.ne (i32.load offset=8 (local.get $o1)) (local.get $o1))) (i32.or (i32.ne (i32.load offset=8 (local.get $o2)) (local.get $o2)) (i32.ne (i32.load offset=8 (local.get $o3)) (local.get $o3)))) (i32.or (i32.or (i32.ne (i32.load offset=8 (local.get $o4)) (local.get $o4)) (i32.ne (i32.load offset=8 (local.get $o5)) (local.get $o5))) (i32.or (i32.ne (i32.load offset=8 (local.get $o6)) (local.get $o6)) (i32.ne (i32.load offset=8 (local.get $o7)) (local.get $o7)))))))
            (local.set $o0 (i32.add (i32.load offset=8 (local.get $o0))
              (i32.shl (f32.gt (f32.load offset=0 (i32.add (local.get $r) (i32.load offset=4 (local.get $o0)))) (f32.load (local.get $o0))) (i32.const 4))))
            (local.set $o1 (i32.add (i32.load offset=8 (local.get $o1))
              (i32.shl (f32.gt (f32.load offset=4 (i32.add (local.get $r) (i32.load offset=4 (local.get $o1)))) (f32.load (local.get $o1))) (i32.const 4))))
            (local.set $o2 (i32.add (i32.load offset=8 (local.get $o2))
              (i32.shl (f32.gt (f32.load offset=8 (i32.add (local.get $r) (i32.load offset=4 (local.get $o2)))) (f32.load (local.get $o2))) (i32.const 4))))
            (local.set $o3 (i32.add (i32.load offset=8 (local.get $o3))
              (i32.shl (f32.gt (f32.load offset=12 (i32.add (local.get $r) (i32.load offset=4 (local.get $o3)))) (f32.load (local.get $o3))) (i32.const 4))))
            (local.set $o4 (i32.add (i32.load offset=8 (local.get $o4))
              (i32.shl (f32.gt (f32.load offset=16 (i32.add (local.get $r) (i32.load offset=4 (local.get $o4)))) (f32.load (local.get $o4))) (i32.const 4))))
            (local.set $o5 (i32.add (i32.load offset=8 (local.get $o5))
              (i32.shl (f32.gt (f32.load offset=20 (i32.add (local.get $r) (i32.load offset=4 (local.get $o5)))) (f32.load (local.get $o5))) (i32.const 4))))
            (local.set $o6 (i32.add (i32.load offset=8 (local.get $o6))
              (i32.shl (f32.gt (f32.load offset=24 (i32.add (local.get $r) (i32.load offset=4 (local.get $o6)))) (f32.load (local.get $o6))) (i32.const 4))))
            (local.set $o7 (i32.add (i32.load offset=8 (local.get $o7))
              (i32.shl (f32.gt (f32.load offset=28 (i32.add (local.get $r) (i32.load offset=4 (local.get $o7)))) (f32.load (local.get $o7))) (i32.const 4))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $steps)))
        ;; The leaves' values into the rows' accumulators ($width and $c in bytes).
        (local.set $l (i32.load offset=12 (local.get $o0)))
        (local.set $c (i32.const 0))
        (block $values_done0
          (loop $values0
            (br_if $values_done0 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values0)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o1)))
        (local.set $c (i32.const 0))
        (block $values_done1
          (loop $values1
            (br_if $values_done1 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values1)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o2)))
        (local.set $c (i32.const 0))
        (block $values_done2
          (loop $values2
            (br_if $values_done2 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values2)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o3)))
        (local.set $c (i32.const 0))
        (block $values_done3
          (loop $values3
            (br_if $values_done3 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values3)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o4)))
        (local.set $c (i32.const 0))
        (block $values_done4
          (loop $values4
            (br_if $values_done4 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values4)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o5)))
        (local.set $c (i32.const 0))
        (block $values_done5
          (loop $values5
            (br_if $values_done5 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values5)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o6)))
        (local.set $c (i32.const 0))
        (block $values_done6
          (loop $values6
            (br_if $values_done6 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values6)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $l (i32.load offset=12 (local.get $o7)))
        (local.set $c (i32.const 0))
        (block $values_done7
          (loop $values7
            (br_if $values_done7 (i32.ge_u (local.get $c) (local.get $width)))
            (f64.store (i32.add (local.get $acc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $acc) (local.get $c))) (f64.load (i32.add (local.get $l) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $values7)))
        (local.set $acc (i32.add (local.get $acc) (local.get $acc_stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 32)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 8)))
        (br $groups)))))
