// The rewriting of the store's ?N parameters into PostgreSQL's $N, which lets both backends run
// the same SQL text.
#include "store/pg.hpp"

#include <gtest/gtest.h>

namespace carnet::store::pg {
namespace {

TEST(NumberedParameters, RewritesEachNumberedParameter) {
    EXPECT_EQ(numbered_parameters("SELECT id FROM posts WHERE blog_id = ?1 AND slug = ?2"),
              "SELECT id FROM posts WHERE blog_id = $1 AND slug = $2");
}

TEST(NumberedParameters, KeepsEveryDigitOfALargeNumber) {
    EXPECT_EQ(numbered_parameters("VALUES (?9, ?10, ?123)"), "VALUES ($9, $10, $123)");
}

TEST(NumberedParameters, LeavesQuotedTextAlone) {
    EXPECT_EQ(numbered_parameters("SELECT '?1', \"?2\" FROM t WHERE a = ?3 AND b = 'it''s ?4'"),
              "SELECT '?1', \"?2\" FROM t WHERE a = $3 AND b = 'it''s ?4'");
}

TEST(NumberedParameters, LeavesCommentsAlone) {
    EXPECT_EQ(numbered_parameters("SELECT 1 -- not ?1\nWHERE x = ?1"),
              "SELECT 1 -- not ?1\nWHERE x = $1");
}

TEST(NumberedParameters, DoubledQuestionMarkIsALiteralOne) {
    EXPECT_EQ(numbered_parameters("SELECT data ?? 'key' FROM t WHERE id = ?1"),
              "SELECT data ? 'key' FROM t WHERE id = $1");
    EXPECT_EQ(numbered_parameters("SELECT ??1"), "SELECT ?1");
}

TEST(NumberedParameters, LeavesTextWithoutParametersAsItIs) {
    EXPECT_EQ(numbered_parameters(""), "");
    EXPECT_EQ(numbered_parameters("SELECT count(*) FROM posts"), "SELECT count(*) FROM posts");
    EXPECT_EQ(numbered_parameters("SELECT 1 WHERE a = $1"), "SELECT 1 WHERE a = $1");
    EXPECT_EQ(numbered_parameters("a ? b ?"), "a ? b ?");
    EXPECT_EQ(numbered_parameters("SELECT 'unterminated ?1"), "SELECT 'unterminated ?1");
}

}  // namespace
}  // namespace carnet::store::pg
