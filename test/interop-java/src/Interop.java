import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;

import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.serde.kafka.KafkaDeserializer;
import io.apicurio.registry.serde.protobuf.ProtobufDeserializer;
import io.apicurio.registry.utils.protobuf.schema.FileDescriptorUtils;
import io.apicurio.registry.utils.protobuf.schema.ProtobufSchema;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The Java side of test/integration/schemas-interop.test.ts, with Apicurio's serdes in their Confluent-compatible
 * form (4-byte content ids in the payload, no headers; Protobuf with Confluent's message indexes, no Apicurio type
 * ref). One JVM per direction: each KIND=TOPIC argument is one topic of that kind.
 *
 *   produce BROKERS REGISTRY N KIND=TOPIC...   avro: N Sale records (decimal, timestamp-millis, date, a nullable
 *                                              union, a union of two records), auto-registered under TOPIC-value;
 *                                              proto: N records of shop.proto (importing money.proto, registered as
 *                                              a reference by the serializer) cycling through Order ([1]),
 *                                              Order.Line ([1, 0]) and Ping ([0]); json: N objects validated against
 *                                              the latest JSON Schema of TOPIC-value (registered by the test)
 *   consume BROKERS REGISTRY N KIND=TOPIC...   reads N records of each topic from the beginning and prints one
 *                                              line per record: KIND, then the record as Java sees it
 */
public class Interop {
  static final String SCHEMA = """
      {"type":"record","name":"Sale","namespace":"interop","fields":[
        {"name":"store","type":"string"},
        {"name":"qty","type":"int"},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
        {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"day","type":{"type":"int","logicalType":"date"}},
        {"name":"customer","type":["null","string"],"default":null},
        {"name":"payment","type":[
          {"type":"record","name":"Card","fields":[{"name":"last4","type":"string"}]},
          {"type":"record","name":"Cash","fields":[{"name":"change","type":"int"}]}]}
      ]}""";

  static final String MONEY = """
      syntax = "proto3";
      package interop.common;
      message Money {
        string currency = 1;
        int64 units = 2;
        int32 cents = 3;
      }
      """;

  static final String SHOP = """
      syntax = "proto3";
      package interop.shop;
      import "interop/common/money.proto";
      message Ping {
        string id = 1;
      }
      message Order {
        string id = 1;
        repeated Line lines = 2;
        interop.common.Money total = 3;
        Status status = 4;
        message Line {
          string sku = 1;
          int32 qty = 2;
          interop.common.Money price = 3;
        }
        enum Status {
          NEW = 0;
          PAID = 1;
        }
      }
      """;

  public static void main(String[] args) throws Exception {
    String mode = args[0], brokers = args[1], registry = args[2];
    int n = Integer.parseInt(args[3]);
    Map<String, String> topics = new LinkedHashMap<>();
    for (int i = 4; i < args.length; i++) topics.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
    Properties common = new Properties();
    common.put("bootstrap.servers", brokers);
    common.put("apicurio.registry.url", registry);
    common.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
    common.put("apicurio.registry.use-id", "contentId");
    common.put("apicurio.registry.headers.enabled", "false");
    // Confluent's Protobuf framing: message indexes, no Apicurio type-ref message in front of the payload.
    common.put("apicurio.registry.serde.send-indexes", "true");
    common.put("apicurio.registry.serde.send-type-ref", "false");
    common.put("apicurio.registry.serde.read-indexes", "true");
    common.put("apicurio.registry.serde.read-type-ref", "false");
    common.put("apicurio.registry.serde.validation-enabled", "true");
    for (Map.Entry<String, String> t : topics.entrySet()) {
      if (mode.equals("produce")) produce(t.getKey(), t.getValue(), n, common);
      else consume(t.getKey(), t.getValue(), n, common);
    }
  }

  static void produce(String kind, String topic, int n, Properties common) throws Exception {
    Properties p = new Properties();
    p.putAll(common);
    p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    switch (kind) {
      case "avro" -> {
        p.put("value.serializer", "io.apicurio.registry.serde.avro.AvroKafkaSerializer");
        p.put("apicurio.registry.auto-register", "true");
        Schema schema = new Schema.Parser().parse(SCHEMA);
        Schema decimal = schema.getField("price").schema();
        Conversions.DecimalConversion decimals = new Conversions.DecimalConversion();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p)) {
          for (int i = 0; i < n; i++) {
            GenericRecord r = new GenericData.Record(schema);
            r.put("store", "store-" + (i % 3));
            r.put("qty", i - 2);
            r.put("price", decimals.toBytes(new BigDecimal(i + ".25"), decimal, LogicalTypes.decimal(9, 2)));
            r.put("at", Instant.parse("2026-11-24T09:00:00.123Z").toEpochMilli() + i);
            r.put("day", (int) LocalDate.parse("2026-11-24").toEpochDay());
            r.put("customer", i % 2 == 0 ? null : "c-" + i);
            Schema card = schema.getField("payment").schema().getTypes().get(0);
            Schema cash = schema.getField("payment").schema().getTypes().get(1);
            GenericRecord payment = new GenericData.Record(i % 2 == 0 ? card : cash);
            if (i % 2 == 0) payment.put("last4", "424" + i);
            else payment.put("change", i);
            r.put("payment", payment);
            producer.send(new ProducerRecord<>(topic, "k" + i, r)).get();
          }
        }
      }
      case "proto" -> {
        p.put("value.serializer", "io.apicurio.registry.serde.protobuf.ProtobufKafkaSerializer");
        p.put("apicurio.registry.auto-register", "true");
        // Its validation looks the message up among the top-level ones only: a nested type would be refused.
        p.put("apicurio.registry.serde.validation-enabled", "false");
        FileDescriptor money = FileDescriptorUtils.protoFileToFileDescriptor(MONEY, "interop/common/money.proto", Optional.of("interop.common"));
        FileDescriptor shop = FileDescriptorUtils.protoFileToFileDescriptor(SHOP, "shop.proto", Optional.of("interop.shop"), Map.of("interop/common/money.proto", MONEY), Map.of("interop/common/money.proto", money));
        Descriptor moneyType = money.findMessageTypeByName("Money");
        Descriptor order = shop.findMessageTypeByName("Order");
        Descriptor line = order.findNestedTypeByName("Line");
        Descriptor ping = shop.findMessageTypeByName("Ping");
        try (KafkaProducer<String, DynamicMessage> producer = new KafkaProducer<>(p)) {
          for (int i = 0; i < n; i++) {
            DynamicMessage price = message(moneyType, "currency", "EUR", "units", (long) i, "cents", 25);
            DynamicMessage item = message(line, "sku", "SKU-" + i, "qty", i + 1, "price", price);
            DynamicMessage value = switch (i % 3) {
              case 0 -> DynamicMessage.newBuilder(order).setField(order.findFieldByName("id"), "o-" + i).addRepeatedField(order.findFieldByName("lines"), item)
                  .setField(order.findFieldByName("total"), price).setField(order.findFieldByName("status"), order.findEnumTypeByName("Status").findValueByName("PAID")).build();
              case 1 -> item;
              default -> message(ping, "id", "p-" + i);
            };
            producer.send(new ProducerRecord<>(topic, "k" + i, value)).get();
          }
        }
      }
      case "json" -> {
        p.put("value.serializer", "io.apicurio.registry.serde.jsonschema.JsonSchemaKafkaSerializer");
        // Apicurio cannot derive a JSON Schema from the data: the latest registered version is used.
        p.put("apicurio.registry.find-latest", "true");
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p)) {
          for (int i = 0; i < n; i++) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("sku", "SKU-" + i);
            value.put("qty", i + 1);
            value.put("tags", List.of("java", "t" + i));
            Map<String, Object> where = new LinkedHashMap<>();
            where.put("store", "store-" + i);
            where.put("open", i % 2 == 0);
            value.put("where", where);
            producer.send(new ProducerRecord<>(topic, "k" + i, value)).get();
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  static DynamicMessage message(Descriptor type, Object... fields) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    for (int i = 0; i < fields.length; i += 2) b.setField(type.findFieldByName((String) fields[i]), fields[i + 1]);
    return b.build();
  }

  static void consume(String kind, String topic, int n, Properties common) throws Exception {
    Properties p = new Properties();
    p.putAll(common);
    p.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    p.put("value.deserializer", switch (kind) {
      case "avro" -> "io.apicurio.registry.serde.avro.AvroKafkaDeserializer";
      case "proto" -> IndexedProtobufDeserializer.class.getName();
      case "json" -> "io.apicurio.registry.serde.jsonschema.JsonSchemaKafkaDeserializer";
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    });
    try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      int seen = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      while (seen < n && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(500))) {
          System.out.println(kind + " " + describe(record.value()));
          seen++;
        }
      }
      if (seen < n) throw new IllegalStateException(topic + ": read " + seen + " of " + n + " records");
    }
  }

  static String describe(Object value) throws Exception {
    if (value instanceof GenericRecord v) {
      StringBuilder line = new StringBuilder(v.getSchema().getFullName());
      for (Schema.Field f : v.getSchema().getFields()) {
        Object x = v.get(f.name());
        String text = x instanceof ByteBuffer b ? new BigDecimal(new java.math.BigInteger(bytes(b)), 2).toPlainString() : x instanceof GenericRecord g ? g.getSchema().getName() + g : String.valueOf(x);
        line.append(' ').append(f.name()).append('=').append(text);
      }
      return line.toString();
    }
    if (value instanceof DynamicMessage m) return m.getDescriptorForType().getFullName() + " " + JsonFormat.printer().omittingInsignificantWhitespace().print(m);
    return String.valueOf(value);
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /**
   * Apicurio's Protobuf deserializer (3.1.7) reads Confluent's message indexes but does not use them: it takes the
   * message type from its own type-ref prefix or the apicurio.value.msgType header, else fails. This one resolves the
   * schema (and its references) through Apicurio's resolver as usual and picks the message by the indexes.
   */
  public static class IndexedProtobufDeserializer extends KafkaDeserializer<ProtobufSchema, DynamicMessage> {
    public IndexedProtobufDeserializer() {
      super(new ProtobufDeserializer<DynamicMessage>() {
        @Override
        protected DynamicMessage readData(ParsedSchema<ProtobufSchema> schema, ByteBuffer buffer, int start, int length) {
          ByteBuffer in = buffer.duplicate();
          in.position(start);
          in.limit(start + length);
          int count = zigzag(in);
          List<Integer> indexes = new ArrayList<>();
          if (count == 0) indexes.add(0);
          for (int i = 0; i < count; i++) indexes.add(zigzag(in));
          Descriptor type = schema.getParsedSchema().getFileDescriptor().getMessageTypes().get(indexes.get(0));
          for (int i = 1; i < indexes.size(); i++) type = type.getNestedTypes().get(indexes.get(i));
          try {
            return DynamicMessage.parseFrom(type, com.google.protobuf.CodedInputStream.newInstance(in));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
    }

    static int zigzag(ByteBuffer in) {
      int result = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = in.get();
        result |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) break;
      }
      return (result >>> 1) ^ -(result & 1);
    }
  }
}
