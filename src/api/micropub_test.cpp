// Micropub's request parsers in each encoding, and IndieAuth's checks: the authorization
// request and PKCE.
#include "api/micropub.hpp"

#include <gtest/gtest.h>

#include <map>

namespace carnet::api {
namespace {

PropertyValue text(std::string value) { return PropertyValue{std::move(value), {}, {}}; }

TEST(MicropubJson, ReadsAnEntryWithTextHtmlAndPhotoValues) {
    auto parsed = parse_micropub_json(R"({"type":["h-entry"],"properties":{
        "name":["Titre"],"content":[{"html":"<p>Corps</p>"}],"category":["a","b"],
        "photo":[{"value":"https://x.example/p.jpg","alt":"Une photo"}, "https://x.example/q.jpg"]}})");
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_EQ(parsed->action, "create");
    const auto& properties = parsed->properties;
    EXPECT_EQ(properties.at("name"), std::vector{text("Titre")});
    ASSERT_EQ(properties.at("content").size(), 1u);
    EXPECT_EQ(properties.at("content")[0].html, "<p>Corps</p>");
    EXPECT_EQ(properties.at("category"), (std::vector{text("a"), text("b")}));
    ASSERT_EQ(properties.at("photo").size(), 2u);
    EXPECT_EQ(properties.at("photo")[0].value, "https://x.example/p.jpg");
    EXPECT_EQ(properties.at("photo")[0].alt, "Une photo");
    EXPECT_EQ(properties.at("photo")[1].value, "https://x.example/q.jpg");
}

TEST(MicropubJson, ReadsEachKindOfUpdate) {
    auto parsed = parse_micropub_json(R"({"action":"update","url":"https://b.example/p.html",
        "replace":{"content":["Nouveau"]},"add":{"category":["c"]},"delete":{"category":["a"]}})");
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_EQ(parsed->action, "update");
    EXPECT_EQ(parsed->url, "https://b.example/p.html");
    EXPECT_EQ(parsed->replace.at("content"), std::vector{text("Nouveau")});
    EXPECT_EQ(parsed->add.at("category"), std::vector{text("c")});
    EXPECT_EQ(parsed->remove_values.at("category"), std::vector{text("a")});
    auto names = parse_micropub_json(R"({"action":"update","url":"u","delete":["category"]})");
    ASSERT_TRUE(names.has_value()) << names.error();
    EXPECT_EQ(names->remove_properties, std::vector<std::string>{"category"});
    auto removal = parse_micropub_json(R"({"action":"delete","url":"u"})");
    ASSERT_TRUE(removal.has_value());
    EXPECT_EQ(removal->action, "delete");
}

TEST(MicropubJson, RefusesWhatIsNotAnEntryOrAnAction) {
    for (const auto* body :
         {"", "[]", "{not json", R"({"type":["h-card"],"properties":{}})",
          R"({"properties":{"name":["x"]}})", R"({"type":["h-entry"],"properties":{"name":"x"}})",
          R"({"type":["h-entry"],"properties":{"name":[{"nested":true}]}})",
          R"({"action":"explode","url":"u"})", R"({"action":"delete"})",
          R"({"action":"update","url":"u"})"}) {
        EXPECT_FALSE(parse_micropub_json(body).has_value()) << body;
    }
}

http::Form form(std::vector<http::FormField> fields) {
    http::Form out;
    out.fields = std::move(fields);
    return out;
}

TEST(MicropubForm, ReadsAnEntryItsArraysAndItsPhotosAlt) {
    auto request = form({{"h", "entry"},
                         {"name", "Titre"},
                         {"category[]", "a"},
                         {"category[]", "b"},
                         {"photo", "https://x.example/p.jpg"},
                         {"mp-photo-alt", "Une photo"},
                         {"access_token", "secret"}});
    request.files.push_back({"photo", "p.png", "image/png", "PNG"});
    request.files.push_back({"other", "o.png", "image/png", "PNG"});
    auto parsed = parse_micropub_form(request);
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_EQ(parsed->access_token, "secret");
    EXPECT_EQ(parsed->properties.at("category"), (std::vector{text("a"), text("b")}));
    EXPECT_EQ(parsed->properties.at("photo")[0].alt, "Une photo");
    EXPECT_FALSE(parsed->properties.contains("access_token"));
    EXPECT_FALSE(parsed->properties.contains("h"));
    ASSERT_EQ(parsed->photos.size(), 1u);
    EXPECT_EQ(parsed->photos[0].file_name, "p.png");
}

TEST(MicropubForm, ReadsDeleteAndUndeleteAndRefusesTheRest) {
    auto removal = parse_micropub_form(form({{"action", "delete"}, {"url", "u"}}));
    ASSERT_TRUE(removal.has_value());
    EXPECT_EQ(removal->action, "delete");
    EXPECT_EQ(removal->url, "u");
    EXPECT_FALSE(parse_micropub_form(form({{"action", "update"}, {"url", "u"}})).has_value());
    EXPECT_FALSE(parse_micropub_form(form({{"action", "undelete"}})).has_value());
    EXPECT_FALSE(parse_micropub_form(form({{"h", "card"}, {"name", "x"}})).has_value());
    EXPECT_FALSE(parse_micropub_form(form({{"name", "x"}})).has_value());
}

TEST(Pkce, MatchesTheS256ChallengeOfItsVerifierOnly) {
    // RFC 7636, appendix B.
    const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    EXPECT_EQ(pkce_challenge(verifier), challenge);
    EXPECT_TRUE(pkce_matches(verifier, challenge));
    EXPECT_FALSE(pkce_matches(verifier + "x", challenge));
    EXPECT_FALSE(pkce_matches(challenge, challenge)) << "plain is not S256";
    EXPECT_FALSE(pkce_matches("short", pkce_challenge("short"))) << "under 43 characters";
    const std::string spaced(50, ' ');
    EXPECT_FALSE(pkce_matches(spaced, pkce_challenge(spaced))) << "not unreserved characters";
}

using Params = std::map<std::string, std::string, std::less<>>;

model::Result<AuthRequest> parse(const Params& params) {
    return parse_auth_request([&](std::string_view name) -> std::optional<std::string> {
        auto found = params.find(name);
        if (found == params.end()) return std::nullopt;
        return found->second;
    });
}

Params good() {
    return {{"response_type", "code"},
            {"client_id", "https://app.example/"},
            {"redirect_uri", "https://app.example/callback"},
            {"state", "1234"},
            {"code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
            {"code_challenge_method", "S256"},
            {"scope", "create profile media bogus"},
            {"me", "https://blog.example/"}};
}

TEST(AuthRequest, ReadsAGoodRequestKeepingKnownScopes) {
    auto parsed = parse(good());
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->client_id, "https://app.example/");
    EXPECT_EQ(parsed->redirect_uri, "https://app.example/callback");
    EXPECT_EQ(parsed->state, "1234");
    EXPECT_EQ(parsed->scopes, (std::vector<std::string>{"create", "media"}));
    EXPECT_EQ(parsed->me, "https://blog.example/");
}

TEST(AuthRequest, RefusesPlainOrMissingPkceAndForeignRedirects) {
    const std::vector<std::pair<std::string, std::string>> bad{
        {"response_type", "token"},
        {"code_challenge_method", "plain"},
        {"code_challenge_method", ""},
        {"code_challenge", ""},
        {"state", ""},
        {"client_id", "javascript:alert(1)"},
        {"redirect_uri", "https://evil.example/callback"},
        {"redirect_uri", "http://app.example/callback"},
        {"redirect_uri", "https://app.example:8443/callback"},
        {"redirect_uri", "https://user@app.example/callback"},
    };
    for (const auto& [name, value] : bad) {
        auto params = good();
        if (value.empty()) {
            params.erase(name);
        } else {
            params[name] = value;
        }
        auto parsed = parse(params);
        ASSERT_FALSE(parsed.has_value()) << name << "=" << value;
        EXPECT_EQ(parsed.error().code, model::Error::Code::invalid_input);
    }
}

}  // namespace
}  // namespace carnet::api
