package dev.storagelab.hybrid.query.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.query.Predicate;
import dev.storagelab.hybrid.query.Query;
import dev.storagelab.hybrid.query.QueryParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Given code of T11: the shell's query grammar. */
class QueryParserTest {

    @Test
    void parsesConjunctionsOfEqualitiesAndRanges() {
        Query q = QueryParser.parse("orders where price between 10 and 20 and region = 'e''u' AND id>=-5 and id<9");
        assertThat(
                q,
                equalTo(new Query(
                        "orders",
                        List.of(
                                Predicate.between("price", 10L, 20L),
                                Predicate.eq("region", "e'u"),
                                Predicate.greater("id", -5L, true),
                                Predicate.less("id", 9L, false)))));
        assertThat(QueryParser.parse("orders"), equalTo(new Query("orders", List.of())));
        assertThat(QueryParser.parse(q.toString()), equalTo(q));
    }

    @Test
    void errorsSayWhereAndWhat() {
        assertThat(
                assertThrows(IllegalArgumentException.class, () -> QueryParser.parse("orders where price ~ 3"))
                        .getMessage(),
                containsString("expected an operator"));
        assertThat(
                assertThrows(IllegalArgumentException.class, () -> QueryParser.parse("orders where price = x"))
                        .getMessage(),
                containsString("column 22"));
        assertThat(
                assertThrows(IllegalArgumentException.class, () -> QueryParser.parse("orders where"))
                        .getMessage(),
                containsString("query ends"));
        assertThrows(IllegalArgumentException.class, () -> QueryParser.parse("orders where region = 'eu"));
        assertThrows(IllegalArgumentException.class, () -> QueryParser.parse("orders where price between 1 and 'z'"));
    }
}
