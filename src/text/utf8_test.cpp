#include <gtest/gtest.h>

#include "text/text.hpp"

namespace carnet::text {
namespace {

TEST(Utf8, AppendsCodePointsAndReplacesWhatIsNotOne) {
    std::string out;
    append_utf8(out, U'a');
    append_utf8(out, U'é');
    append_utf8(out, U'€');
    append_utf8(out, U'\U0001F600');
    EXPECT_EQ(out, "aé€\xF0\x9F\x98\x80");
    out.clear();
    append_utf8(out, 0xD800);
    append_utf8(out, 0x110000);
    EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8, TellsValidFromInvalid) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("L'État, Œuvre, الدولة, \xF0\x9F\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("\xFF"));
    EXPECT_FALSE(is_valid_utf8("caf\xC3"));           // cut in the middle of é
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Utf8, CountsCharactersNotBytes) {
    EXPECT_EQ(count_chars("Été"), 3u);
    EXPECT_EQ(count_chars("\xF0\x9F\x98\x80"), 1u);
    EXPECT_EQ(count_chars(""), 0u);
    EXPECT_EQ(count_chars("a\xFF"), 2u);
}

TEST(Utf8, PrefixNeverCutsACharacter) {
    EXPECT_EQ(utf8_prefix("été", 10), "été");
    EXPECT_EQ(utf8_prefix("été", 2), "é");
    EXPECT_EQ(utf8_prefix("été", 1), "");
    EXPECT_EQ(utf8_prefix("été", 3), "ét");
    EXPECT_EQ(utf8_prefix("a\xF0\x9F\x98\x80", 4), "a");
}

TEST(Folding, FoldsFrenchAccentsAndLigatures) {
    EXPECT_EQ(fold("L'ÉTÉ ﬁni, Œuvre, Æsope", Folding::case_and_accents),
              "l'ete fini, oeuvre, aesope");
    EXPECT_EQ(fold("À Noël, ça bâille : où êtes-vous ? Ÿ", Folding::case_and_accents),
              "a noel, ca baille : ou etes-vous ? y");
    EXPECT_EQ(fold("ＣＡＳＩＮＯ ca\u200Bsi\u00ADno", Folding::case_and_accents), "casino casino");
    EXPECT_EQ(fold("Straße", Folding::case_and_accents), "strasse");
    EXPECT_EQ(fold("e\u0301te\u0301", Folding::case_and_accents), "ete");  // decomposed
}

TEST(Folding, CaseOnlyKeepsAccentsComposed) {
    EXPECT_EQ(fold("L'ÉTÉ", Folding::case_only), "l'été");
    EXPECT_EQ(fold("e\u0301te\u0301", Folding::case_only), "été");  // NFC
    EXPECT_EQ(fold("Œuvre", Folding::case_only), "œuvre");
    EXPECT_EQ(fold("Misrata 2017", Folding::case_only), "misrata 2017");
}

TEST(Folding, ReadsInvalidUtf8AsReplacementCharacters) {
    EXPECT_EQ(fold("bad \xFF Été", Folding::case_and_accents), "bad \xEF\xBF\xBD ete");
    EXPECT_EQ(fold("caf\xC3", Folding::case_only), "caf\xEF\xBF\xBD");
    EXPECT_EQ(fold("", Folding::case_only), "");
}

TEST(Folding, AFolderReusesItsBuffersAcrossWords) {
    Folder folder;
    std::string out;
    ASSERT_TRUE(folder.fold("Première", Folding::case_and_accents, out));
    EXPECT_EQ(out, "premiere");
    ASSERT_TRUE(folder.fold("OK", Folding::case_and_accents, out));
    EXPECT_EQ(out, "ok");
    ASSERT_TRUE(folder.fold("Ça", Folding::case_only, out));
    EXPECT_EQ(out, "ça");
}

}  // namespace
}  // namespace carnet::text
