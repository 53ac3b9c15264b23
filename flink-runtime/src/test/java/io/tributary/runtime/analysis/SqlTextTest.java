package io.tributary.runtime.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTextTest {

  @Test
  void rewritesStreamReadsOutsideLiteralsAndComments() {
    assertThat(SqlText.rewriteStreamReads("""
        -- the customers' orders
        SELECT * FROM STREAM(orders) o JOIN stream( LIVE.customers ) c ON o.id = c.id
        WHERE o.note <> 'STREAM(x)' /* not STREAM(y) */"""))
        .isEqualTo("""
            -- the customers' orders
            SELECT * FROM `orders$stream` o JOIN `customers$stream` c ON o.id = c.id
            WHERE o.note <> 'STREAM(x)' /* not STREAM(y) */""");
  }

  @Test
  void findsIdentifiersButNotWordsInLiteralsOrComments() {
    assertThat(SqlText.identifiers("SELECT a FROM `orders$stream` WHERE b = 'silver' -- gold"))
        .containsExactly("SELECT", "a", "FROM", "orders", "WHERE", "b");
  }
}
