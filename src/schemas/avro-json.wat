;; consume's Avro lane in WebAssembly: a whole record batch body (Kafka's record format v2) in one call, each value
;; in the schema registry's wire format written as JSON plus a separator. Built into dist/wasm/avro-json.wasm by
;; scripts/wasm.mjs. The values themselves are written by a function compiled per schema (avro-wasm.ts emits it as
;; a module of its own, which imports this one's memory, $decimal, $timestamp and $isoFrom) and called through the
;; table `values`; every record that function declines goes to the JavaScript lane (avro-json.ts). The output must
;; be byte for byte what that lane writes. Why: docs/ARCHITECTURE.md (Data flow of a consume).
;;
;; Memory (addresses chosen by avro-wasm.ts): results at 0-27, the second's text cache at 32-51, the digit pairs
;; "00".."99" at 0x400, each value function's bound (what it writes beyond its string bytes) from 0x800, then the
;; output area and the input area, each with 16 bytes to spare (strings are copied 16 bytes at a time).
(module
  (memory (export "memory") 1)
  (type $valueType (func (param i32 i32 i32) (result i32)))
  ;; the value functions, by number; 0 declines every value (no schema chosen yet)
  (table $values (export "values") 16 funcref)
  (elem (i32.const 0) $declineAll)
  (global $BOUNDS i32 (i32.const 0x800))
  ;; "00" to "99" at PAIRS: two digits a division
  (data (i32.const 0x400) "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899")

  ;; run()'s results
  (global $R_POS i32 (i32.const 0))       ;; where it stopped: the record to hand over, or the next one
  (global $R_LEFT i32 (i32.const 4))      ;; records left, that one included
  (global $R_OUT i32 (i32.const 8))       ;; end of the output written
  (global $R_WRITTEN i32 (i32.const 12))  ;; records written (separator included)
  (global $R_VALUE i32 (i32.const 16))    ;; a declined record: its value's start and end, and the record's end
  (global $R_VALUE_END i32 (i32.const 20))
  (global $R_NEXT i32 (i32.const 24))
  (global $ISO i32 (i32.const 32))        ;; "YYYY-MM-DDTHH:MM:SS." of the second starting at $isoFrom (ms)
  (global $isoFrom (export "isoFrom") (mut i64) (i64.const 0x4000000000000000))

  ;; The record reader: position, and whether what was read is usable.
  (global $ip (mut i32) (i32.const 0))
  (global $bad (mut i32) (i32.const 0))

  (func $declineAll (type $valueType) (i32.const -1))

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
  (func $decimal (export "decimal") (param $o i32) (param $v i64) (result i32)
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
  (func $timestamp (export "timestamp") (param $o i32) (param $v i64) (result i32)
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

  ;; The records of a batch body at [$pos, $end): `left` of them, values of those with an offset delta in [$lo, $hi)
  ;; written at [$out, $outEnd) with `sep` after each, by value function $prog for values of schema id $id.
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
                    (select (i32.add (i32.load (i32.add (global.get $BOUNDS) (i32.shl (local.get $prog) (i32.const 2)))) (local.get $n)) (i32.const 0) (i32.gt_s (local.get $n) (i32.const 0))))
                  (local.get $outEnd))
              (then (local.set $status (select (i32.const 1) (i32.const 2) (local.get $written))) (br $stop)))
            (if (i32.gt_s (local.get $n) (i32.const 0))
              (then
                ;; the wire format: magic byte 0, then the schema id of function $prog (big-endian)
                (if (i32.or (i32.lt_s (local.get $n) (i32.const 5))
                      (i32.or (i32.load8_u (global.get $ip))
                        (i32.ne (i32.load (i32.add (global.get $ip) (i32.const 1)))
                          (i32.or (i32.or (i32.shl (local.get $id) (i32.const 24)) (i32.shl (i32.and (local.get $id) (i32.const 0xff00)) (i32.const 8)))
                            (i32.or (i32.and (i32.shr_u (local.get $id) (i32.const 8)) (i32.const 0xff00)) (i32.shr_u (local.get $id) (i32.const 24)))))))
                  (then (local.set $status (i32.const 2)) (br $stop)))
                (local.set $o (call_indirect $values (type $valueType) (i32.add (global.get $ip) (i32.const 5)) (local.get $valueEnd) (local.get $out) (local.get $prog)))
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
