import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;

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
 * The Java side of test/integration/schemas-interop.test.ts, with Apicurio's Avro serdes in their
 * Confluent-compatible form (4-byte content ids in the payload, no headers):
 *
 *   produce BROKERS REGISTRY TOPIC N   writes N Sale records (decimal, timestamp-millis, date, a nullable union,
 *                                      a union of two records) with auto-registration under TOPIC-value
 *   consume BROKERS REGISTRY TOPIC N   reads N records from the beginning and prints one line per record:
 *                                      the schema's full name and the fields as Java sees them
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

  public static void main(String[] args) throws Exception {
    String mode = args[0], brokers = args[1], registry = args[2], topic = args[3];
    int n = Integer.parseInt(args[4]);
    Properties p = new Properties();
    p.put("bootstrap.servers", brokers);
    p.put("apicurio.registry.url", registry);
    p.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
    p.put("apicurio.registry.use-id", "contentId");
    p.put("apicurio.registry.headers.enabled", "false");
    if (mode.equals("produce")) {
      p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
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
          if (i % 2 == 0) payment.put("last4", "424" + i); else payment.put("change", i);
          r.put("payment", payment);
          producer.send(new ProducerRecord<>(topic, "k" + i, r)).get();
        }
      }
    } else {
      p.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
      p.put("value.deserializer", "io.apicurio.registry.serde.avro.AvroKafkaDeserializer");
      try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(p)) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        int seen = 0;
        long deadline = System.currentTimeMillis() + 60_000;
        while (seen < n && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(500))) {
            GenericRecord v = (GenericRecord) record.value();
            StringBuilder line = new StringBuilder(v.getSchema().getFullName());
            for (Schema.Field f : v.getSchema().getFields()) {
              Object x = v.get(f.name());
              String text = x instanceof ByteBuffer b ? new BigDecimal(new java.math.BigInteger(bytes(b)), 2).toPlainString() : x instanceof GenericRecord g ? g.getSchema().getName() + g : String.valueOf(x);
              line.append(' ').append(f.name()).append('=').append(text);
            }
            System.out.println(line);
            seen++;
          }
        }
        if (seen < n) throw new IllegalStateException("read " + seen + " of " + n + " records");
      }
    }
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
