import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a Delta table with Spark and delta-spark and writes its rows to a file, one line per row,
 * fields separated by "|", null as "NULL", sorted: the format DeletionVectorTable writes Kernel's rows
 * in. Also prints the versions, the table's protocol as Spark sees it and how many add actions of
 * its log carry a deletion vector.
 * Run by spark-dv-readback.sh with the Spark baseline's classpath (a single-file Java program).
 *
 * Usage: SparkReadDelta TABLE OUT_FILE
 */
public class SparkReadDelta {
  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("dv-readback")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      Dataset<Row> table = spark.read().format("delta").load(args[0]);
      List<String> lines = new ArrayList<>();
      for (Row row : table.collectAsList()) {
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
          fields.add(row.isNullAt(i) ? "NULL" : String.valueOf(row.get(i)));
        }
        lines.add(String.join("|", fields));
      }
      lines.sort(null);
      Files.write(Path.of(args[1]), lines);
      Row detail = spark.sql("DESCRIBE DETAIL delta.`" + args[0] + "`")
          .select("numFiles", "minReaderVersion", "minWriterVersion", "tableFeatures").first();
      long withVectors = spark.read().json(args[0] + "/_delta_log/*.json")
          .where("add.deletionVector IS NOT NULL").count();
      System.out.println("spark " + spark.version() + ", delta-spark " + io.delta.package$.MODULE$.VERSION()
          + ": " + lines.size() + " rows; numFiles=" + detail.get(0) + " reader/writer="
          + detail.get(1) + "/" + detail.get(2) + " features=" + detail.get(3) + "; add actions with a"
          + " deletion vector in the log: " + withVectors);
    } finally {
      spark.stop();
    }
  }
}
