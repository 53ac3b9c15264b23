package io.tributary.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The text of the bridge; {@link ExpectationsTest} runs the results through Flink's planner. */
class ConstraintSqlTest {

  private static final List<String> COLUMNS =
      List.of(
          "user_id",
          "timestamp",
          "amount",
          "email",
          "transaction_date",
          "id",
          "value",
          "date",
          "transaction_type",
          "address",
          "CamelCase",
          "end",
          "in");

  private static String bridge(String constraint) {
    return ConstraintSql.toFlinkSql(constraint, COLUMNS);
  }

  @Test
  void quotesColumnsIncludingFlinkReservedWords() {
    assertThat(bridge("timestamp > '2020-01-01'")).isEqualTo("`timestamp` > '2020-01-01'");
    assertThat(bridge("value >= 0")).isEqualTo("`value` >= 0");
    assertThat(bridge("user_id IS NOT NULL")).isEqualTo("`user_id` IS NOT NULL");
  }

  @Test
  void resolvesColumnNamesCaseInsensitivelyAsSparkDoes() {
    assertThat(bridge("USER_ID IS NOT NULL AND camelcase > 1"))
        .isEqualTo("`user_id` IS NOT NULL AND `CamelCase` > 1");
    assertThat(bridge("`Amount` > 0 AND `user_id` <> ''"))
        .isEqualTo("`amount` > 0 AND `user_id` <> ''");
  }

  @Test
  void leavesUnknownWordsKeywordsAndStringContentsAlone() {
    assertThat(bridge("email LIKE '%timestamp@%' AND nosuch IS NULL"))
        .isEqualTo("`email` LIKE '%timestamp@%' AND nosuch IS NULL");
  }

  @Test
  void doesNotTakeFunctionNamesCastTypesIntervalUnitsOrRowFieldsForColumns() {
    assertThat(bridge("date(timestamp) = CAST(date AS date)"))
        .isEqualTo("date(`timestamp`) = CAST(`date` AS date)");
    assertThat(bridge("timestamp > CURRENT_TIMESTAMP - INTERVAL '1' date"))
        .isEqualTo("`timestamp` > CURRENT_TIMESTAMP - INTERVAL '1' date");
    assertThat(bridge("address.value IS NOT NULL")).isEqualTo("`address`.value IS NOT NULL");
  }

  @Test
  void neverTakesTheWordsOfAnExpressionsStructureForColumns() {
    assertThat(bridge("CASE WHEN `end` > 0 THEN value IN (1, 2) ELSE TRUE END"))
        .isEqualTo("CASE WHEN `end` > 0 THEN `value` IN (1, 2) ELSE TRUE END");
  }

  @Test
  void writesCurrentDateAndTimestampWithoutParentheses() {
    assertThat(bridge("transaction_date <= current_date()"))
        .isEqualTo("`transaction_date` <= CURRENT_DATE");
    assertThat(bridge("timestamp < CURRENT_TIMESTAMP ( )"))
        .isEqualTo("`timestamp` < CURRENT_TIMESTAMP");
    assertThat(bridge("transaction_date <= current_date"))
        .isEqualTo("`transaction_date` <= current_date");
  }

  @Test
  void bridgesSparkStringLiteralsAndOperators() {
    assertThat(bridge("email LIKE \"%@%\"")).isEqualTo("`email` LIKE '%@%'");
    assertThat(bridge("email <> \"it's\"")).isEqualTo("`email` <> 'it''s'");
    assertThat(bridge("email <> 'it\\'s'")).isEqualTo("`email` <> 'it''s'");
    assertThat(bridge("email <> 'it''s'")).isEqualTo("`email` <> 'it''s'");
    assertThat(bridge("amount == 1 AND id <=> 2"))
        .isEqualTo("`amount` = 1 AND `id` IS NOT DISTINCT FROM 2");
  }

  @Test
  void bridgesTheMultiLineBusinessRuleKeepingItsLines() {
    String rule =
        """

        CASE
            WHEN transaction_type = 'refund' THEN amount < 0
            WHEN transaction_type = 'purchase' THEN amount > 0
            ELSE TRUE
        END
        """;
    assertThat(bridge(rule))
        .isEqualTo(
            """

        CASE
            WHEN `transaction_type` = 'refund' THEN `amount` < 0
            WHEN `transaction_type` = 'purchase' THEN `amount` > 0
            ELSE TRUE
        END
        """);
  }

  @Test
  void keepsCommentsAndUnterminatedTextForFlinksParserToJudge() {
    assertThat(bridge("amount > 0 -- amount of value\n AND id > 0"))
        .isEqualTo("`amount` > 0 -- amount of value\n AND `id` > 0");
    assertThat(bridge("email = 'open")).isEqualTo("`email` = 'open");
    assertThat(bridge("`open > 0")).isEqualTo("`open > 0");
  }

  @Test
  void lexerTokensGiveTheTextBack() {
    String text = "CASE WHEN `a``b` <=> \"x\\\"y\" THEN 1.5e-3 /* c */ ELSE x.y END -- end";
    assertThat(
            ConstraintSql.Lexer.tokens(text).stream()
                .map(ConstraintSql.Token::text)
                .collect(Collectors.joining()))
        .isEqualTo(text);
    assertThat(
            ConstraintSql.Lexer.tokens(text).stream()
                .map(t -> t.kind() + ":" + t.text())
                .filter(t -> !t.startsWith("WHITESPACE"))
                .toList())
        .containsExactly(
            "WORD:CASE",
            "WORD:WHEN",
            "QUOTED_IDENTIFIER:`a``b`",
            "SYMBOL:<=>",
            "STRING:\"x\\\"y\"",
            "WORD:THEN",
            "NUMBER:1.5e-3",
            "COMMENT:/* c */",
            "WORD:ELSE",
            "WORD:x",
            "SYMBOL:.",
            "WORD:y",
            "WORD:END",
            "COMMENT:-- end");
  }
}
