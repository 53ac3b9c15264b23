package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup side of a stream-static join serves the table's latest version: it reloads when the
 * table gets a new version (checked at most once per refresh interval), keeps serving what it has
 * when a reload fails, returns every row of a key, and names the path of a table that does not exist.
 */
class DeltaLookupFunctionTest {

  private static final RowType USERS =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("user_id", DataTypes.STRING()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();
  private static final int[] BY_USER_ID = {0};

  @TempDir Path dir;

  private final AtomicLong now = new AtomicLong(1_000);

  private DeltaLookupFunction function(
      String path, Duration refresh, DeltaLookupFunction.MissingTable missing) {
    AtomicLong clock = now;
    return new DeltaLookupFunction(path, USERS, BY_USER_ID, refresh, missing, clock::get);
  }

  private static List<String> names(Collection<RowData> rows) {
    return rows.stream().map(r -> r.getString(1).toString()).toList();
  }

  private static Collection<RowData> lookup(DeltaLookupFunction function, String userId) {
    return function.lookup(GenericRowData.of(StringData.fromString(userId)));
  }

  @Test
  void servesTheLatestVersionAndReloadsOnANewOneOncePerRefreshInterval() throws Exception {
    UpstreamDeltaTable users = new UpstreamDeltaTable(dir.resolve("users").toString(), USERS);
    users.overwrite(Row.of("u1", "Ann v1"), Row.of("u2", "Bob v1"), Row.of("u2", "Bobby v1"));
    DeltaLookupFunction function =
        function(users.path(), Duration.ofSeconds(10), DeltaLookupFunction.MissingTable.FAIL);
    function.open(null);

    assertThat(names(lookup(function, "u1"))).containsExactly("Ann v1");
    assertThat(names(lookup(function, "u2")))
        .as("no enforced key: every row of the key")
        .containsExactlyInAnyOrder("Bob v1", "Bobby v1");
    assertThat(lookup(function, "u9")).isEmpty();
    assertThat(function.lookup(GenericRowData.of((Object) null)))
        .as("NULL matches nothing")
        .isEmpty();

    long v2 = users.overwrite(Row.of("u1", "Ann v2"), Row.of("u3", "Cid v2"));
    now.addAndGet(9_999);
    assertThat(names(lookup(function, "u1"))).as("within the interval").containsExactly("Ann v1");
    now.addAndGet(1);
    assertThat(names(lookup(function, "u1"))).containsExactly("Ann v2");
    assertThat(lookup(function, "u2")).isEmpty();
    assertThat(names(lookup(function, "u3"))).containsExactly("Cid v2");
    assertThat(function.version()).isEqualTo(v2);
    function.close();
  }

  @Test
  void aFailedReloadKeepsServingTheLoadedVersionAndTheNextOneCatchesUp() throws Exception {
    Path table = dir.resolve("users");
    UpstreamDeltaTable users = new UpstreamDeltaTable(table.toString(), USERS);
    long v1 = users.overwrite(Row.of("u1", "Ann v1"));
    DeltaLookupFunction function =
        function(users.path(), Duration.ZERO, DeltaLookupFunction.MissingTable.FAIL);
    function.open(null);

    // the table is away (being replaced, storage unreachable): the loaded version is still served
    Path away = dir.resolve("away");
    Files.move(table, away);
    assertThat(names(lookup(function, "u1"))).containsExactly("Ann v1");
    assertThat(function.version()).isEqualTo(v1);

    Files.move(away, table);
    users.overwrite(Row.of("u1", "Ann v2"));
    assertThat(names(lookup(function, "u1"))).containsExactly("Ann v2");
    function.close();
  }

  @Test
  void aMissingTableIsAnErrorNamingItsPathUnlessAskedToWaitForIt() throws Exception {
    String path = dir.resolve("not_yet").toString();

    assertThatThrownBy(
            () -> function(path, Duration.ZERO, DeltaLookupFunction.MissingTable.FAIL).open(null))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "The lookup join's table '"
                + path
                + "' is not a Delta table (no _delta_log with a commit)."
                + " Write the table before the job that looks it up starts, or check its path.");

    DeltaLookupFunction waiting =
        function(path, Duration.ZERO, DeltaLookupFunction.MissingTable.EMPTY);
    waiting.open(null);
    assertThat(lookup(waiting, "u1")).isEmpty();
    new UpstreamDeltaTable(path, USERS).append(Row.of("u1", "Ann"));
    assertThat(names(lookup(waiting, "u1"))).containsExactly("Ann");
    waiting.close();
  }
}
