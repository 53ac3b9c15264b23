package io.tributary.runtime.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTextTest {

  @Test
  void rewritesStreamReadsOutsideLiteralsAndComments() {
    assertThat(
            SqlText.rewriteStreamReads(
                """
        -- the customers' orders
        SELECT * FROM STREAM(orders) o JOIN stream( LIVE.customers ) c ON o.id = c.id
        WHERE o.note <> 'STREAM(x)' /* not STREAM(y) */"""))
        .isEqualTo(
            """
            -- the customers' orders
            SELECT * FROM `orders$stream` o JOIN `customers$stream` c ON o.id = c.id
            WHERE o.note <> 'STREAM(x)' /* not STREAM(y) */""");
  }

  @Test
  void findsIdentifiersButNotWordsInLiteralsOrComments() {
    assertThat(SqlText.identifiers("SELECT a FROM `orders$stream` WHERE b = 'silver' -- gold"))
        .containsExactly("SELECT", "a", "FROM", "orders", "WHERE", "b");
  }

  @Test
  void rewritesTheTableOfEachLookupJoinButNotQualifiedNamesLiteralsOrComments() {
    assertThat(
            SqlText.rewriteLookupReads(
                """
        SELECT e.id, u.name, p.title
        FROM (SELECT *, PROCTIME() AS proc_time FROM `events$stream`) e
        LEFT JOIN dim_users FOR SYSTEM_TIME AS OF e.proc_time AS u ON e.user_id = u.user_id
        JOIN `products`
          for  system_time as of e.proc_time AS p ON e.product_id = p.product_id
        JOIN LIVE.stores FOR SYSTEM_TIME AS OF e.proc_time AS s ON e.store = s.store
        JOIN other_catalog.db.rates FOR SYSTEM_TIME AS OF e.proc_time AS r ON e.cur = r.cur
        WHERE e.note <> 'x FOR SYSTEM_TIME AS OF y' -- z FOR SYSTEM_TIME AS OF w
        """))
        .isEqualTo(
            """
            SELECT e.id, u.name, p.title
            FROM (SELECT *, PROCTIME() AS proc_time FROM `events$stream`) e
            LEFT JOIN `dim_users$lookup` FOR SYSTEM_TIME AS OF e.proc_time AS u ON e.user_id = u.user_id
            JOIN `products$lookup`
              for  system_time as of e.proc_time AS p ON e.product_id = p.product_id
            JOIN `stores$lookup` FOR SYSTEM_TIME AS OF e.proc_time AS s ON e.store = s.store
            JOIN other_catalog.db.rates FOR SYSTEM_TIME AS OF e.proc_time AS r ON e.cur = r.cur
            WHERE e.note <> 'x FOR SYSTEM_TIME AS OF y' -- z FOR SYSTEM_TIME AS OF w
            """);
  }

  @Test
  void bothRewritesTogetherNameTheLookedUpDatasetsAndIdentifiersDropTheSuffixes() {
    String rewritten =
        SqlText.rewrite(
            "SELECT * FROM (SELECT *, PROCTIME() AS t FROM STREAM(events)) e"
                + " JOIN dim FOR SYSTEM_TIME AS OF e.t AS d ON e.k = d.k");

    assertThat(rewritten)
        .isEqualTo(
            "SELECT * FROM (SELECT *, PROCTIME() AS t FROM `events$stream`) e"
                + " JOIN `dim$lookup` FOR SYSTEM_TIME AS OF e.t AS d ON e.k = d.k");
    assertThat(SqlText.lookupReads(rewritten)).containsExactly("dim");
    assertThat(SqlText.identifiers(rewritten))
        .contains("events", "dim")
        .doesNotContain("dim$lookup", "events$stream");
  }
}
