;; Tree ensemble scoring kernel (docs/decisions/0009-wasm-training-kernels.md: scoring follows
;; training). Compiled by scripts/build-wasm.mjs into trees-wasm.ts, loaded by kernels.ts;
;; tree-ensemble.ts lays out the memory.
;;
;; A node is 16 bytes: its threshold (f32, NaN for a leaf), the byte offset of its feature in a
;; row, the byte offset of its left child (the right child is the next node; a leaf is its own
;; left child) and, for a leaf, the byte offset of its values (f64). The rows of a block are
;; row-major f32; their outputs are row-major f64 accumulators.
(module
  (import "env" "memory" (memory 1))

  ;; Walks one tree (root node at $root, no walk longer than $depth steps, none shorter than
  ;; $unchecked) for $rows rows (a multiple of 4) of $stride bytes from $block on, and adds each
  ;; row's leaf: its $width values to the $width f64 from $acc + $acc_stride × row on. Four rows
  ;; walk in lockstep, each step an index plus a comparison, without a branch: their loads are
  ;; independent, so the processor overlaps them. Missing values are not looked at (NaN goes
  ;; left); the caller walks rows with one apart.
  (func (export "walk")
    (param $root i32) (param $unchecked i32) (param $depth i32) (param $block i32) (param $stride i32)
    (param $rows i32) (param $acc i32) (param $acc_stride i32) (param $width i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $d i32) (local $a i32) (local $l i32) (local $c i32) (local $j i32)
    (local.set $r0 (local.get $block))
    (block $rows_done
      (loop $quads
        ;; Counted, not compared with the block's end: without features, rows are 0 bytes apart.
        (br_if $rows_done (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $stride)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $stride)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $stride)))
        (local.set $o0 (local.get $root))
        (local.set $o1 (local.get $root))
        (local.set $o2 (local.get $root))
        (local.set $o3 (local.get $root))
        (local.set $d (i32.const 0))
        ;; Every walk takes at least $unchecked steps: no look at whether the rows are at leaves.
        (block $unchecked_done
          (loop $steps
            (br_if $unchecked_done (i32.ge_u (local.get $d) (local.get $unchecked)))
            (local.set $o0 (i32.add (i32.load offset=8 (local.get $o0))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r0) (i32.load offset=4 (local.get $o0)))) (f32.load (local.get $o0))) (i32.const 4))))
            (local.set $o1 (i32.add (i32.load offset=8 (local.get $o1))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r1) (i32.load offset=4 (local.get $o1)))) (f32.load (local.get $o1))) (i32.const 4))))
            (local.set $o2 (i32.add (i32.load offset=8 (local.get $o2))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r2) (i32.load offset=4 (local.get $o2)))) (f32.load (local.get $o2))) (i32.const 4))))
            (local.set $o3 (i32.add (i32.load offset=8 (local.get $o3))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r3) (i32.load offset=4 (local.get $o3)))) (f32.load (local.get $o3))) (i32.const 4))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $steps)))
        ;; Then until all four are at leaves, or $depth steps.
        (block $walks_done
          (loop $steps
            (br_if $walks_done (i32.ge_u (local.get $d) (local.get $depth)))
            (br_if $walks_done (i32.eqz (i32.or
              (i32.or (i32.ne (i32.load offset=8 (local.get $o0)) (local.get $o0)) (i32.ne (i32.load offset=8 (local.get $o1)) (local.get $o1)))
              (i32.or (i32.ne (i32.load offset=8 (local.get $o2)) (local.get $o2)) (i32.ne (i32.load offset=8 (local.get $o3)) (local.get $o3))))))
            (local.set $o0 (i32.add (i32.load offset=8 (local.get $o0))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r0) (i32.load offset=4 (local.get $o0)))) (f32.load (local.get $o0))) (i32.const 4))))
            (local.set $o1 (i32.add (i32.load offset=8 (local.get $o1))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r1) (i32.load offset=4 (local.get $o1)))) (f32.load (local.get $o1))) (i32.const 4))))
            (local.set $o2 (i32.add (i32.load offset=8 (local.get $o2))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r2) (i32.load offset=4 (local.get $o2)))) (f32.load (local.get $o2))) (i32.const 4))))
            (local.set $o3 (i32.add (i32.load offset=8 (local.get $o3))
              (i32.shl (f32.gt (f32.load (i32.add (local.get $r3) (i32.load offset=4 (local.get $o3)))) (f32.load (local.get $o3))) (i32.const 4))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $steps)))
        ;; The four leaves' values into the four rows' accumulators, one row after the other.
        (local.set $j (i32.const 0))
        (block $leaves_done
          (loop $leaves
            (br_if $leaves_done (i32.ge_u (local.get $j) (i32.const 4)))
            (local.set $l (i32.load offset=12 (select (select (local.get $o0) (local.get $o1) (i32.eqz (local.get $j)))
              (select (local.get $o2) (local.get $o3) (i32.eq (local.get $j) (i32.const 2))) (i32.lt_u (local.get $j) (i32.const 2)))))
            (local.set $c (i32.const 0))
            (block $values_done
              (loop $values
                (br_if $values_done (i32.ge_u (local.get $c) (local.get $width)))
                (f64.store (local.get $acc) (f64.add (f64.load (local.get $acc)) (f64.load (local.get $l))))
                (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
                (local.set $l (i32.add (local.get $l) (i32.const 8)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $values)))
            (local.set $acc (i32.add (local.get $acc) (i32.sub (local.get $acc_stride) (i32.shl (local.get $width) (i32.const 3)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $leaves)))
        (local.set $r0 (i32.add (local.get $r3) (local.get $stride)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 4)))
        (br $quads)))))
