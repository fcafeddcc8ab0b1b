#include <gtest/gtest.h>

#include "text/text.hpp"

namespace carnet::text {
namespace {

TEST(DecodeHtmlEntities, DecodesNamedDecimalAndHexadecimalReferences) {
    EXPECT_EQ(decode_html_entities("caf&eacute; &#233; &#xE9; &#XE9;"), "café é é é");
    EXPECT_EQ(decode_html_entities("&amp;&lt;&gt;&quot;&apos;&#39;"), "&<>\"''");
    EXPECT_EQ(decode_html_entities("&laquo;&nbsp;&OElig;uvre&nbsp;&raquo; &hellip; &rsquo;"),
              "«\u00a0Œuvre\u00a0» … ’");
    // Names of the HTML standard beyond HTML 4, one standing for two code points.
    EXPECT_EQ(decode_html_entities("&NotEqualTilde; &CounterClockwiseContourIntegral;"),
              "\u2242\u0338 \u2233");
    EXPECT_EQ(decode_html_entities("texte sans référence"), "texte sans référence");
    EXPECT_EQ(decode_html_entities(""), "");
}

TEST(DecodeHtmlEntities, DecodesOnce) {
    EXPECT_EQ(decode_html_entities("&amp;lt;"), "&lt;");
    EXPECT_EQ(decode_html_entities("&amp;amp;"), "&amp;");
    EXPECT_EQ(decode_html_entities("&#38;#233;"), "&#233;");
}

TEST(DecodeHtmlEntities, KeepsUnknownAndUnterminatedNamesAsTyped) {
    EXPECT_EQ(decode_html_entities("&bogus; &Eacute &eacute &amp a & b &; &&"),
              "&bogus; &Eacute &eacute &amp a & b &; &&");
    EXPECT_EQ(decode_html_entities("AT&T;"), "AT&T;");
    EXPECT_EQ(decode_html_entities("&EACUTE;"), "&EACUTE;");  // names are case-sensitive
    EXPECT_EQ(decode_html_entities("fin&"), "fin&");
    EXPECT_EQ(decode_html_entities("&#; &#x; &#xG;"), "&#; &#x; &#xG;");
}

TEST(DecodeHtmlEntities, NumericReferencesNeedNoSemicolonAsInBrowsers) {
    EXPECT_EQ(decode_html_entities("&#233t&#x41g"), "étAg");
}

TEST(DecodeHtmlEntities, ReplacesWhatIsNotACharacter) {
    const std::string replacement = "\xEF\xBF\xBD";
    EXPECT_EQ(decode_html_entities("&#0;"), replacement);
    EXPECT_EQ(decode_html_entities("&#x0;"), replacement);
    EXPECT_EQ(decode_html_entities("&#xD800;&#xDFFF;"), replacement + replacement);
    EXPECT_EQ(decode_html_entities("&#x110000;"), replacement);
    EXPECT_EQ(decode_html_entities("&#99999999999999999999;"), replacement);
    EXPECT_EQ(decode_html_entities("&#x10FFFF;"), "\xF4\x8F\xBF\xBF");
    // Windows-1252 where ISO 8859-1 has C1 controls, as browsers read them.
    EXPECT_EQ(decode_html_entities("l&#146;&#233;t&#233; &#150; &#128;"), "l’été – €");
    EXPECT_EQ(decode_html_entities("&#129;"), "\xC2\x81");  // a hole of Windows-1252
}

TEST(DecodeHtmlEntity, SaysHowManyBytesTheReferenceTook) {
    std::string out;
    EXPECT_EQ(decode_html_entity("x&amp;y", 1, out), 5u);
    EXPECT_EQ(out, "&");
    EXPECT_EQ(decode_html_entity("&#65x", 0, out), 4u);
    EXPECT_EQ(out, "&A");
    EXPECT_EQ(decode_html_entity("&nope;", 0, out), 0u);
    EXPECT_EQ(decode_html_entity("&", 0, out), 0u);
    EXPECT_EQ(decode_html_entity("a", 0, out), 0u);
    EXPECT_EQ(out, "&A");
}

}  // namespace
}  // namespace carnet::text
