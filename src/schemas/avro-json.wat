;; consume's Avro lane in WebAssembly: a whole record batch body (Kafka's record format v2) in one call, each value
;; in the schema registry's wire format written as JSON plus a separator. Built into dist/wasm/avro-json.wasm by
;; scripts/wasm.mjs; driven by avro-wasm.ts, which compiles a schema into the small program run here and hands
;; every record this module declines to the JavaScript lane (avro-json.ts). The output must be byte for byte what
;; that lane writes: anything else (escaped or non-ASCII strings, doubles that are not whole or in cents, numbers
;; beyond 2^52, dates outside years 0-9999) is declined, never approximated. Why: docs/ARCHITECTURE.md (Schemas).
;;
;; Memory (addresses chosen by avro-wasm.ts): results at 0-27, the second's text cache at 32-51, programs from 64,
;; then the output area and the input area, each with 16 bytes to spare (a string is copied 16 bytes at a time).
;;
;; A program: i32 bound (what a value writes beyond its string bytes), then ops (one byte, then arguments):
;;   0 END | 1 CONST len:u16 bytes | 2 LONG (int or long) | 3 DOUBLE | 4 FLOAT | 5 STRING | 6 BOOLEAN | 7 NULL
;;   8 ENUM count:u16 skip:u32 (from count to the next op) then count u32 addresses of (len:u16 bytes) | 9 TIMESTAMP_MILLIS
;;   10 UNION null-branch:u8 skip:u32 (null + one other type: its ops follow, `skip` bytes long)
;; An op byte with 0x80 set is preceded by a constant text, as CONST's (len:u16 bytes) before its arguments; with
;; 0x40 set (LONG, STRING, ENUM, TIMESTAMP_MILLIS, UNION) the op's value starts with a zig-zag varint.
(module
  (memory (export "memory") 1)

  ;; run()'s results
  (global $R_POS i32 (i32.const 0))       ;; where it stopped: the record to hand over, or the next one
  (global $R_LEFT i32 (i32.const 4))      ;; records left, that one included
  (global $R_OUT i32 (i32.const 8))       ;; end of the output written
  (global $R_WRITTEN i32 (i32.const 12))  ;; records written (separator included)
  (global $R_VALUE i32 (i32.const 16))    ;; a declined record: its value's start and end, and the record's end
  (global $R_VALUE_END i32 (i32.const 20))
  (global $R_NEXT i32 (i32.const 24))
  (global $ISO i32 (i32.const 32))        ;; "YYYY-MM-DDTHH:MM:SS." of the second starting at $isoFrom (ms)
  (global $isoFrom (mut i64) (i64.const 0x4000000000000000))

  ;; The record reader: position, and whether what was read is usable.
  (global $ip (mut i32) (i32.const 0))
  (global $bad (mut i32) (i32.const 0))

  ;; run's statuses
  ;;   0: the batch is done; 1: the output area is full (copy it out, call again from R_POS);
  ;;   2: the record at R_POS is declined (write it another way, go on from R_NEXT); 3: the batch is not
  ;;   well formed here (write all of it another way).

  ;; A zig-zag varint of the record format (lengths, deltas), at $p; the next position goes to $ip. -1 in $bad when
  ;; longer than 5 bytes or past $end.
  (func $int (param $p i32) (param $end i32) (result i32)
    (local $r i32) (local $c i32) (local $s i32)
    (loop $more
      (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.gt_u (local.get $s) (i32.const 28)))
        (then (global.set $bad (i32.const 1)) (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $r (i32.or (local.get $r) (i32.shl (i32.and (local.get $c) (i32.const 0x7f)) (local.get $s))))
      (local.set $s (i32.add (local.get $s) (i32.const 7)))
      (br_if $more (i32.and (local.get $c) (i32.const 0x80))))
    (global.set $ip (local.get $p))
    (i32.xor (i32.shr_u (local.get $r) (i32.const 1)) (i32.sub (i32.const 0) (i32.and (local.get $r) (i32.const 1)))))

  ;; Moves $ip past a varint of any length at $p ($bad past $end).
  (func $skip (param $p i32) (param $end i32)
    (loop $more
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (global.set $bad (i32.const 1)) (return)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $more (i32.and (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 0x80))))
    (global.set $ip (local.get $p)))

  ;; The decimal digits of $v at $o (magnitude below 2^53); returns the new end.
  (func $decimal (param $o i32) (param $v i64) (result i32)
    (local $n i32) (local $t i64) (local $end i32) (local $w i32)
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (i32.store8 (local.get $o) (i32.const 45))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    ;; below 2^32 (nearly always): digits counted with compares, written with 32-bit divisions
    (if (i64.lt_u (local.get $v) (i64.const 0x100000000))
      (then
        (local.set $w (i32.wrap_i64 (local.get $v)))
        (local.set $n (i32.add (i32.const 1)
          (i32.add
            (i32.add (i32.add (i32.ge_u (local.get $w) (i32.const 10)) (i32.ge_u (local.get $w) (i32.const 100)))
                     (i32.add (i32.ge_u (local.get $w) (i32.const 1000)) (i32.ge_u (local.get $w) (i32.const 10000))))
            (i32.add
              (i32.add (i32.ge_u (local.get $w) (i32.const 100000)) (i32.ge_u (local.get $w) (i32.const 1000000)))
              (i32.add (i32.add (i32.ge_u (local.get $w) (i32.const 10000000)) (i32.ge_u (local.get $w) (i32.const 100000000)))
                       (i32.ge_u (local.get $w) (i32.const 1000000000)))))))
        (local.set $end (i32.add (local.get $o) (local.get $n)))
        (local.set $o (local.get $end))
        (loop $digits
          (local.set $o (i32.sub (local.get $o) (i32.const 1)))
          (i32.store8 (local.get $o) (i32.add (i32.const 48) (i32.rem_u (local.get $w) (i32.const 10))))
          (local.set $w (i32.div_u (local.get $w) (i32.const 10)))
          (br_if $digits (i32.ne (local.get $w) (i32.const 0))))
        (return (local.get $end))))
    (local.set $n (i32.const 1))
    (local.set $t (i64.const 10))
    (loop $count
      (if (i64.le_u (local.get $t) (local.get $v))
        (then
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (if (i32.lt_u (local.get $n) (i32.const 20))
            (then (local.set $t (i64.mul (local.get $t) (i64.const 10))) (br $count))))))
    (local.set $end (i32.add (local.get $o) (local.get $n)))
    (local.set $o (local.get $end))
    ;; 32-bit division below 2^32
    (loop $big
      (if (i64.ge_u (local.get $v) (i64.const 0x100000000))
        (then
          (local.set $o (i32.sub (local.get $o) (i32.const 1)))
          (i32.store8 (local.get $o) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
          (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
          (br $big))))
    (local.set $w (i32.wrap_i64 (local.get $v)))
    (loop $small
      (local.set $o (i32.sub (local.get $o) (i32.const 1)))
      (i32.store8 (local.get $o) (i32.add (i32.const 48) (i32.rem_u (local.get $w) (i32.const 10))))
      (local.set $w (i32.div_u (local.get $w) (i32.const 10)))
      (br_if $small (i32.ne (local.get $w) (i32.const 0))))
    (local.get $end))

  ;; Two digits of $v at $at.
  (func $two (param $at i32) (param $v i32)
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $v) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))

  ;; "YYYY-MM-DDTHH:MM:SS.mmmZ" in quotes (26 bytes) for milliseconds since 1970 in [0, 253402300800000); -1 outside.
  ;; The second's text is kept: consecutive records mostly share it.
  (func $timestamp (param $o i32) (param $v i64) (result i32)
    (local $second i64) (local $ms i32) (local $days i32) (local $rest i32) (local $z i32) (local $era i32)
    (local $doe i32) (local $yoe i32) (local $doy i32) (local $mp i32) (local $day i32) (local $month i32) (local $year i32)
    (if (i32.or (i64.lt_s (local.get $v) (i64.const 0)) (i64.ge_s (local.get $v) (i64.const 253402300800000)))
      (then (return (i32.const -1))))
    ;; in the second of the text kept: no division
    (local.set $second (i64.sub (local.get $v) (global.get $isoFrom)))
    (if (i64.lt_u (local.get $second) (i64.const 1000))
      (then (local.set $ms (i32.wrap_i64 (local.get $second))))
      (else
        (local.set $second (i64.div_u (local.get $v) (i64.const 1000)))
        (local.set $ms (i32.wrap_i64 (i64.sub (local.get $v) (i64.mul (local.get $second) (i64.const 1000)))))
        ;; days -> civil date (proleptic Gregorian), as json-text.ts isoFromMillis does
        (local.set $days (i32.wrap_i64 (i64.div_u (local.get $second) (i64.const 86400))))
        (local.set $rest (i32.wrap_i64 (i64.sub (local.get $second) (i64.mul (i64.extend_i32_u (local.get $days)) (i64.const 86400)))))
        (local.set $z (i32.add (local.get $days) (i32.const 719468)))
        (local.set $era (i32.div_u (local.get $z) (i32.const 146097)))
        (local.set $doe (i32.sub (local.get $z) (i32.mul (local.get $era) (i32.const 146097))))
        (local.set $yoe (i32.div_u
          (i32.sub (i32.add (i32.sub (local.get $doe) (i32.div_u (local.get $doe) (i32.const 1460))) (i32.div_u (local.get $doe) (i32.const 36524)))
                   (i32.div_u (local.get $doe) (i32.const 146096)))
          (i32.const 365)))
        (local.set $doy (i32.sub (local.get $doe)
          (i32.sub (i32.add (i32.mul (i32.const 365) (local.get $yoe)) (i32.div_u (local.get $yoe) (i32.const 4))) (i32.div_u (local.get $yoe) (i32.const 100)))))
        (local.set $mp (i32.div_u (i32.add (i32.mul (i32.const 5) (local.get $doy)) (i32.const 2)) (i32.const 153)))
        (local.set $day (i32.add (i32.sub (local.get $doy) (i32.div_u (i32.add (i32.mul (i32.const 153) (local.get $mp)) (i32.const 2)) (i32.const 5))) (i32.const 1)))
        (local.set $month (select (i32.add (local.get $mp) (i32.const 3)) (i32.sub (local.get $mp) (i32.const 9)) (i32.lt_u (local.get $mp) (i32.const 10))))
        (local.set $year (i32.add (i32.add (local.get $yoe) (i32.mul (local.get $era) (i32.const 400))) (i32.le_u (local.get $month) (i32.const 2))))
        (call $two (global.get $ISO) (i32.div_u (local.get $year) (i32.const 100)))
        (call $two (i32.add (global.get $ISO) (i32.const 2)) (i32.rem_u (local.get $year) (i32.const 100)))
        (i32.store8 (i32.add (global.get $ISO) (i32.const 4)) (i32.const 45))
        (call $two (i32.add (global.get $ISO) (i32.const 5)) (local.get $month))
        (i32.store8 (i32.add (global.get $ISO) (i32.const 7)) (i32.const 45))
        (call $two (i32.add (global.get $ISO) (i32.const 8)) (local.get $day))
        (i32.store8 (i32.add (global.get $ISO) (i32.const 10)) (i32.const 84))
        (call $two (i32.add (global.get $ISO) (i32.const 11)) (i32.div_u (local.get $rest) (i32.const 3600)))
        (i32.store8 (i32.add (global.get $ISO) (i32.const 13)) (i32.const 58))
        (call $two (i32.add (global.get $ISO) (i32.const 14)) (i32.div_u (i32.rem_u (local.get $rest) (i32.const 3600)) (i32.const 60)))
        (i32.store8 (i32.add (global.get $ISO) (i32.const 16)) (i32.const 58))
        (call $two (i32.add (global.get $ISO) (i32.const 17)) (i32.rem_u (local.get $rest) (i32.const 60)))
        (i32.store8 (i32.add (global.get $ISO) (i32.const 19)) (i32.const 46))
        (global.set $isoFrom (i64.mul (local.get $second) (i64.const 1000)))))
    (i32.store8 (local.get $o) (i32.const 34))
    (v128.store (i32.add (local.get $o) (i32.const 1)) (v128.load (global.get $ISO)))
    (i32.store (i32.add (local.get $o) (i32.const 17)) (i32.load (i32.add (global.get $ISO) (i32.const 16))))
    (i32.store8 (i32.add (local.get $o) (i32.const 21)) (i32.add (i32.const 48) (i32.div_u (local.get $ms) (i32.const 100))))
    (i32.store8 (i32.add (local.get $o) (i32.const 22)) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $ms) (i32.const 10)) (i32.const 10))))
    (i32.store8 (i32.add (local.get $o) (i32.const 23)) (i32.add (i32.const 48) (i32.rem_u (local.get $ms) (i32.const 10))))
    (i32.store8 (i32.add (local.get $o) (i32.const 24)) (i32.const 90))
    (i32.store8 (i32.add (local.get $o) (i32.const 25)) (i32.const 34))
    (i32.add (local.get $o) (i32.const 26)))

  ;; $n bytes from $from to $to, 16 at a time (memory.copy is a call out of the module, slow for short texts).
  ;; Up to 15 bytes past $to are written too: a program's bound counts them, and what follows overwrites them.
  (func $copy (param $to i32) (param $from i32) (param $n i32)
    (local $k i32)
    (loop $chunks
      (v128.store (i32.add (local.get $to) (local.get $k)) (v128.load (i32.add (local.get $from) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $chunks (i32.lt_s (local.get $k) (local.get $n)))))

  ;; The value at [$i, $e) through the program's ops, written at $o; the new end, or -1 (declined). The hot paths
  ;; are written out here rather than called: a call costs about as much as a simple op (V8 saves every live
  ;; local around it).
  (func $value (param $pc i32) (param $i i32) (param $e i32) (param $o i32) (result i32)
    (local $op i32) (local $n i32) (local $v i64) (local $c i32) (local $k i32) (local $chunk v128)
    (local $r i64) (local $s i64) (local $x f64) (local $y f64) (local $w i32) (local $cents i32) (local $d i64)
    (local.set $cents (i32.const -1))
    (loop $next
      (local.set $op (i32.load8_u (local.get $pc)))
      (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
      ;; 0x80: a constant text before the op (a field's name), saving a CONST
      (if (i32.and (local.get $op) (i32.const 0x80))
        (then
          (local.set $n (i32.load16_u (local.get $pc)))
          (v128.store (local.get $o) (v128.load (i32.add (local.get $pc) (i32.const 2))))
          (if (i32.gt_u (local.get $n) (i32.const 16))
            (then (call $copy (i32.add (local.get $o) (i32.const 16)) (i32.add (local.get $pc) (i32.const 18)) (i32.sub (local.get $n) (i32.const 16)))))
          (local.set $o (i32.add (local.get $o) (local.get $n)))
          (local.set $pc (i32.add (local.get $pc) (i32.add (local.get $n) (i32.const 2))))))
      ;; 0x40: the op starts with a zig-zag varint, read here into $v as the JavaScript lane reads it (raw values
      ;; below 2^52, at most 8 bytes; anything longer is declined)
      (if (i32.and (local.get $op) (i32.const 0x40))
        (then
          (if (i32.ge_u (local.get $i) (local.get $e)) (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.lt_u (local.get $c) (i32.const 0x80))
            (then (local.set $r (i64.extend_i32_u (local.get $c))))
            (else
              (local.set $r (i64.extend_i32_u (i32.and (local.get $c) (i32.const 0x7f))))
              (local.set $s (i64.const 7))
              (loop $more
                (if (i32.ge_u (local.get $i) (local.get $e)) (then (return (i32.const -1))))
                (local.set $c (i32.load8_u (local.get $i)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (local.set $r (i64.or (local.get $r) (i64.shl (i64.extend_i32_u (i32.and (local.get $c) (i32.const 0x7f))) (local.get $s))))
                (local.set $s (i64.add (local.get $s) (i64.const 7)))
                (if (i32.and (local.get $c) (i32.const 0x80))
                  (then
                    (if (i64.ge_u (local.get $s) (i64.const 56)) (then (return (i32.const -1))))
                    (br $more))))
              (if (i64.ge_u (local.get $r) (i64.const 0x10000000000000)) (then (return (i32.const -1))))))
          (local.set $v (i64.xor (i64.shr_u (local.get $r) (i64.const 1)) (i64.sub (i64.const 0) (i64.and (local.get $r) (i64.const 1)))))))
      (block $declined
        (block $long (block $number (block $double (block $float (block $union (block $timestamp (block $enum (block $null (block $boolean (block $string (block $const (block $end
          (br_table $end $const $long $double $float $string $boolean $null $enum $timestamp $union $declined (i32.and (local.get $op) (i32.const 0x3f))))
          ;; 0 END: the value must end exactly here
          (if (i32.ne (local.get $i) (local.get $e)) (then (br $declined)))
          (return (local.get $o)))
          ;; 1 CONST
          (local.set $n (i32.load16_u (local.get $pc)))
          (call $copy (local.get $o) (i32.add (local.get $pc) (i32.const 2)) (local.get $n))
          (local.set $o (i32.add (local.get $o) (local.get $n)))
          (local.set $pc (i32.add (local.get $pc) (i32.add (local.get $n) (i32.const 2))))
          (br $next))
          ;; 5 STRING (varint length): printable ASCII but quote and backslash, copied 16 bytes at a time;
          ;; anything else is declined (quote() writes it)
          (br_if $declined (i64.gt_u (local.get $v) (i64.extend_i32_u (i32.sub (local.get $e) (local.get $i)))))
          (local.set $n (i32.wrap_i64 (local.get $v)))
          (i32.store8 (local.get $o) (i32.const 34))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $k (i32.const 0))
          (loop $chunks
            (local.set $chunk (v128.load (i32.add (local.get $i) (local.get $k))))
            ;; one bit per byte JSON does not take as it is: below 0x20, above 0x7e, quote, backslash
            (local.set $c (i8x16.bitmask
              (v128.or
                (v128.or (i8x16.lt_u (local.get $chunk) (i8x16.splat (i32.const 0x20))) (i8x16.gt_u (local.get $chunk) (i8x16.splat (i32.const 0x7e))))
                (v128.or (i8x16.eq (local.get $chunk) (i8x16.splat (i32.const 0x22))) (i8x16.eq (local.get $chunk) (i8x16.splat (i32.const 0x5c)))))))
            ;; the last chunk reads past the string (the input area has room): only its bytes count
            (if (i32.lt_s (i32.sub (local.get $n) (local.get $k)) (i32.const 16))
              (then (local.set $c (i32.and (local.get $c) (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $n) (local.get $k))) (i32.const 1))))))
            (br_if $declined (local.get $c))
            (v128.store (i32.add (local.get $o) (local.get $k)) (local.get $chunk))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br_if $chunks (i32.lt_s (local.get $k) (local.get $n))))
          (local.set $i (i32.add (local.get $i) (local.get $n)))
          (local.set $o (i32.add (local.get $o) (local.get $n)))
          (i32.store8 (local.get $o) (i32.const 34))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (br $next))
          ;; 6 BOOLEAN
          (br_if $declined (i32.ge_u (local.get $i) (local.get $e)))
          (local.set $n (i32.load8_u (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eq (local.get $n) (i32.const 1))
            (then
              (i32.store (local.get $o) (i32.const 0x65757274)) ;; "true"
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (br $next)))
          (br_if $declined (local.get $n))
          (i32.store (local.get $o) (i32.const 0x736c6166)) ;; "fals"
          (i32.store8 (i32.add (local.get $o) (i32.const 4)) (i32.const 0x65))
          (local.set $o (i32.add (local.get $o) (i32.const 5)))
          (br $next))
          ;; 7 NULL
          (i32.store (local.get $o) (i32.const 0x6c6c756e)) ;; "null"
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (br $next))
          ;; 8 ENUM (varint index) count skip addresses...
          (br_if $declined (i64.ge_u (local.get $v) (i64.extend_i32_u (i32.load16_u (local.get $pc)))))
          (local.set $n (i32.load (i32.add (i32.add (local.get $pc) (i32.const 6)) (i32.shl (i32.wrap_i64 (local.get $v)) (i32.const 2)))))
          (call $copy (local.get $o) (i32.add (local.get $n) (i32.const 2)) (i32.load16_u (local.get $n)))
          (local.set $o (i32.add (local.get $o) (i32.load16_u (local.get $n))))
          (local.set $pc (i32.add (local.get $pc) (i32.load (i32.add (local.get $pc) (i32.const 2)))))
          (br $next))
          ;; 9 TIMESTAMP_MILLIS (varint): in the second of the text kept, written here; else by $timestamp
          (local.set $d (i64.sub (local.get $v) (global.get $isoFrom)))
          (if (i64.lt_u (local.get $d) (i64.const 1000))
            (then
              (local.set $c (i32.wrap_i64 (local.get $d)))
              (i32.store8 (local.get $o) (i32.const 34))
              (v128.store (i32.add (local.get $o) (i32.const 1)) (v128.load (global.get $ISO)))
              (i32.store (i32.add (local.get $o) (i32.const 17)) (i32.load (i32.add (global.get $ISO) (i32.const 16))))
              (i32.store8 (i32.add (local.get $o) (i32.const 21)) (i32.add (i32.const 48) (i32.div_u (local.get $c) (i32.const 100))))
              (i32.store8 (i32.add (local.get $o) (i32.const 22)) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $c) (i32.const 10)) (i32.const 10))))
              (i32.store8 (i32.add (local.get $o) (i32.const 23)) (i32.add (i32.const 48) (i32.rem_u (local.get $c) (i32.const 10))))
              (i32.store16 (i32.add (local.get $o) (i32.const 24)) (i32.const 0x225a)) ;; Z"
              (local.set $o (i32.add (local.get $o) (i32.const 26)))
              (br $next)))
          (local.set $o (call $timestamp (local.get $o) (local.get $v)))
          (br_if $declined (i32.lt_s (local.get $o) (i32.const 0)))
          (br $next))
          ;; 10 UNION (varint branch) null-branch skip
          (local.set $c (i32.load8_u (local.get $pc)))
          (local.set $n (i32.load (i32.add (local.get $pc) (i32.const 1))))
          (local.set $pc (i32.add (local.get $pc) (i32.const 5)))
          (if (i64.eq (local.get $v) (i64.extend_i32_u (local.get $c)))
            (then
              (i32.store (local.get $o) (i32.const 0x6c6c756e))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (local.set $pc (i32.add (local.get $pc) (local.get $n)))
              (br $next)))
          (br_if $next (i64.eq (local.get $v) (i64.extend_i32_u (i32.sub (i32.const 1) (local.get $c)))))
          (br $declined))
          ;; 4 FLOAT: as a double
          (br_if $declined (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $e)))
          (local.set $x (f64.promote_f32 (f32.load (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $number))
          ;; 3 DOUBLE
          (br_if $declined (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $e)))
          (local.set $x (f64.load (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 8))))
          ;; a float or a double in $x, as the JavaScript lane writes it: a whole number below 1e15 (not -0) as a
          ;; long; a whole number of hundredths below 1e13 (prices) as the long of its whole part, then the cents
          ;; (cents, as avro-json.ts dbl()); anything else (NaN, Infinity, other fractions) is declined
          (br_if $declined (f64.ne (local.get $x) (local.get $x)))
          (if (i32.and (f64.eq (f64.trunc (local.get $x)) (local.get $x)) (f64.lt (f64.abs (local.get $x)) (f64.const 1e15)))
            (then
              (br_if $declined (i32.and (f64.eq (local.get $x) (f64.const 0)) (i64.lt_s (i64.reinterpret_f64 (local.get $x)) (i64.const 0))))
              (local.set $v (i64.trunc_f64_s (local.get $x)))
              (br $long)))
          (br_if $declined (i32.or (f64.eq (local.get $x) (f64.const 0)) (f64.ge (f64.abs (local.get $x)) (f64.const 1e13))))
          ;; Math.round(x * 100): to the nearest, halves up
          (local.set $y (f64.mul (local.get $x) (f64.const 100)))
          (local.set $v (i64.trunc_f64_s (f64.ceil (local.get $y))))
          (if (f64.gt (f64.sub (f64.convert_i64_s (local.get $v)) (f64.const 0.5)) (local.get $y)) (then (local.set $v (i64.sub (local.get $v) (i64.const 1)))))
          (br_if $declined (f64.ne (f64.div (f64.convert_i64_s (local.get $v)) (f64.const 100)) (local.get $x)))
          (if (i64.lt_s (local.get $v) (i64.const 0))
            (then
              (i32.store8 (local.get $o) (i32.const 45))
              (local.set $o (i32.add (local.get $o) (i32.const 1)))
              (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
          ;; (64-bit division is slow: 32-bit below 2^32)
          (if (i64.lt_u (local.get $v) (i64.const 0x100000000))
            (then
              (local.set $w (i32.wrap_i64 (local.get $v)))
              (local.set $cents (i32.rem_u (local.get $w) (i32.const 100)))
              (local.set $v (i64.extend_i32_u (i32.div_u (local.get $w) (i32.const 100)))))
            (else
              (local.set $cents (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 100))))
              (local.set $v (i64.div_u (local.get $v) (i64.const 100))))))
          ;; 2 LONG (or a number's whole part, $cents then following): below 2^32 (nearly always) digits counted
          ;; with compares and written with 32-bit divisions; beyond, by $decimal
          (if (i64.lt_s (local.get $v) (i64.const 0))
            (then
              (i32.store8 (local.get $o) (i32.const 45))
              (local.set $o (i32.add (local.get $o) (i32.const 1)))
              (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
          (if (i64.lt_u (local.get $v) (i64.const 0x100000000))
            (then
              (local.set $w (i32.wrap_i64 (local.get $v)))
              (local.set $o (i32.add (local.get $o) (i32.add (i32.const 1)
                (i32.add
                  (i32.add (i32.add (i32.ge_u (local.get $w) (i32.const 10)) (i32.ge_u (local.get $w) (i32.const 100)))
                           (i32.add (i32.ge_u (local.get $w) (i32.const 1000)) (i32.ge_u (local.get $w) (i32.const 10000))))
                  (i32.add
                    (i32.add (i32.ge_u (local.get $w) (i32.const 100000)) (i32.ge_u (local.get $w) (i32.const 1000000)))
                    (i32.add (i32.add (i32.ge_u (local.get $w) (i32.const 10000000)) (i32.ge_u (local.get $w) (i32.const 100000000)))
                             (i32.ge_u (local.get $w) (i32.const 1000000000))))))))
              (local.set $k (local.get $o))
              (loop $digits
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (i32.store8 (local.get $k) (i32.add (i32.const 48) (i32.rem_u (local.get $w) (i32.const 10))))
                (local.set $w (i32.div_u (local.get $w) (i32.const 10)))
                (br_if $digits (i32.ne (local.get $w) (i32.const 0)))))
            (else (local.set $o (call $decimal (local.get $o) (local.get $v)))))
          (if (i32.ge_s (local.get $cents) (i32.const 0))
            (then
              (i32.store8 (local.get $o) (i32.const 46))
              (i32.store8 (i32.add (local.get $o) (i32.const 1)) (i32.add (i32.const 48) (i32.div_u (local.get $cents) (i32.const 10))))
              (local.set $o (i32.add (local.get $o) (i32.const 2)))
              (if (i32.rem_u (local.get $cents) (i32.const 10))
                (then
                  (i32.store8 (local.get $o) (i32.add (i32.const 48) (i32.rem_u (local.get $cents) (i32.const 10))))
                  (local.set $o (i32.add (local.get $o) (i32.const 1)))))
              (local.set $cents (i32.const -1))))
          (br $next))
      (return (i32.const -1)))
    (i32.const -1))

  ;; The records of a batch body at [$pos, $end): `left` of them, values of those with an offset delta in [$lo, $hi)
  ;; written at [$out, $outEnd) with `sep` after each, through program $prog for values of schema id $id.
  (func (export "run") (param $prog i32) (param $id i32) (param $pos i32) (param $end i32) (param $left i32)
    (param $lo i32) (param $hi i32) (param $out i32) (param $outEnd i32) (param $sep i32) (result i32)
    (local $start i32) (local $recordEnd i32) (local $delta i32) (local $n i32) (local $valueEnd i32)
    (local $written i32) (local $o i32) (local $status i32)
    (block $stop
      (loop $records
        (br_if $stop (i32.or (i32.eqz (local.get $left)) (i32.ge_u (local.get $pos) (local.get $end))))
        (local.set $start (local.get $pos))
        (global.set $bad (i32.const 0))
        ;; length, attributes, timestamp delta, offset delta, key, value
        (local.set $n (call $int (local.get $pos) (local.get $end)))
        (local.set $recordEnd (i32.add (global.get $ip) (local.get $n)))
        (call $skip (i32.add (global.get $ip) (i32.const 1)) (local.get $end))
        (local.set $delta (call $int (global.get $ip) (local.get $end)))
        (local.set $n (call $int (global.get $ip) (local.get $end)))
        (if (i32.gt_s (local.get $n) (i32.const 0)) (then (global.set $ip (i32.add (global.get $ip) (local.get $n)))))
        (local.set $n (call $int (global.get $ip) (local.get $end)))
        (local.set $valueEnd (i32.add (global.get $ip) (select (local.get $n) (i32.const 0) (i32.gt_s (local.get $n) (i32.const 0)))))
        (if (i32.or (global.get $bad)
              (i32.or (i32.gt_u (local.get $recordEnd) (local.get $end)) (i32.gt_u (local.get $valueEnd) (local.get $recordEnd))))
          (then (local.set $status (i32.const 3)) (br $stop)))
        (if (i32.and (i32.ge_s (local.get $delta) (local.get $lo)) (i32.lt_s (local.get $delta) (local.get $hi)))
          (then
            ;; room for the largest output this value can make (none for a null or empty one), and the separator
            (if (i32.gt_u
                  (i32.add (i32.add (local.get $out) (i32.const 32))
                    (select (i32.add (i32.load (local.get $prog)) (local.get $n)) (i32.const 0) (i32.gt_s (local.get $n) (i32.const 0))))
                  (local.get $outEnd))
              (then (local.set $status (select (i32.const 1) (i32.const 2) (local.get $written))) (br $stop)))
            (if (i32.gt_s (local.get $n) (i32.const 0))
              (then
                ;; the wire format: magic byte 0, then this program's schema id (big-endian)
                (if (i32.or (i32.lt_s (local.get $n) (i32.const 5))
                      (i32.or (i32.load8_u (global.get $ip))
                        (i32.ne (i32.load (i32.add (global.get $ip) (i32.const 1)))
                          (i32.or (i32.or (i32.shl (local.get $id) (i32.const 24)) (i32.shl (i32.and (local.get $id) (i32.const 0xff00)) (i32.const 8)))
                            (i32.or (i32.and (i32.shr_u (local.get $id) (i32.const 8)) (i32.const 0xff00)) (i32.shr_u (local.get $id) (i32.const 24)))))))
                  (then (local.set $status (i32.const 2)) (br $stop)))
                (local.set $o (call $value (i32.add (local.get $prog) (i32.const 4)) (i32.add (global.get $ip) (i32.const 5)) (local.get $valueEnd) (local.get $out)))
                (if (i32.lt_s (local.get $o) (i32.const 0)) (then (local.set $status (i32.const 2)) (br $stop)))
                (local.set $out (local.get $o))))
            (i32.store8 (local.get $out) (local.get $sep))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))
            (local.set $written (i32.add (local.get $written) (i32.const 1)))))
        (local.set $pos (local.get $recordEnd))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br $records)))
    (i32.store (global.get $R_POS) (local.get $start))
    (if (i32.eqz (local.get $status)) (then (i32.store (global.get $R_POS) (local.get $pos))))
    (i32.store (global.get $R_LEFT) (local.get $left))
    (i32.store (global.get $R_OUT) (local.get $out))
    (i32.store (global.get $R_WRITTEN) (local.get $written))
    (i32.store (global.get $R_VALUE) (i32.sub (local.get $valueEnd) (select (local.get $n) (i32.const 0) (i32.gt_s (local.get $n) (i32.const 0)))))
    (i32.store (global.get $R_VALUE_END) (local.get $valueEnd))
    (i32.store (global.get $R_NEXT) (local.get $recordEnd))
    (local.get $status))
)
