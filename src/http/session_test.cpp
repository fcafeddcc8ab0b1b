#include <gtest/gtest.h>

#include <map>

#include "http/http.hpp"

namespace carnet::http {
namespace {

using namespace std::chrono_literals;

// Keeps sessions in memory, as the store keeps them in its table: by token hash, expired ones
// not found. What it was given is inspectable, which is the point of these tests.
class MemoryKeeper final : public SessionKeeper {
public:
    Result<std::optional<SessionRecord>> find_session(std::string_view token_hash,
                                                      std::chrono::sys_seconds now) override {
        if (failing) return fail(Error::Code::database, "the keeper is down");
        auto found = sessions.find(std::string(token_hash));
        if (found == sessions.end() || found->second.expires_at <= now) return std::nullopt;
        return found->second;
    }
    Status create_session(std::string_view token_hash, const SessionRecord& session) override {
        if (failing) return fail(Error::Code::database, "the keeper is down");
        sessions.emplace(std::string(token_hash), session);
        return {};
    }
    Status delete_session(std::string_view token_hash) override {
        if (failing) return fail(Error::Code::database, "the keeper is down");
        sessions.erase(std::string(token_hash));
        return {};
    }

    std::map<std::string, SessionRecord> sessions;
    bool failing = false;
};

// The cookie's value in a Set-Cookie header: "name=value; ...".
std::string cookie_value(std::string_view set_cookie) {
    const auto equals = set_cookie.find('=');
    const auto end = set_cookie.find(';');
    return std::string(set_cookie.substr(equals + 1, end - equals - 1));
}

Request carrying(std::string_view cookie) {
    Request request;
    request.headers.emplace_back("Cookie", std::string(cookie));
    return request;
}

Form with_field(std::string name, std::string value) {
    Form form;
    form.fields.push_back(FormField{std::move(name), std::move(value)});
    return form;
}

class SessionsTest : public ::testing::Test {
protected:
    MemoryKeeper keeper_;
    ManualClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 2} + 9h};
    Sessions sessions_{keeper_, clock_, SessionPolicy{.cookie_name = "sid", .lifetime = 2h}};
};

TEST_F(SessionsTest, OpenedSessionIsFoundByItsCookieAndKeptOnlyAsAHash) {
    auto header = sessions_.open(Request{}, 42);
    ASSERT_TRUE(header.has_value()) << header.error().message;
    const auto token = cookie_value(*header);
    ASSERT_EQ(token.size(), 64u);
    ASSERT_EQ(keeper_.sessions.size(), 1u);
    const auto& [kept_hash, kept] = *keeper_.sessions.begin();
    EXPECT_NE(kept_hash, token);
    EXPECT_EQ(kept_hash.find(token.substr(0, 16)), std::string::npos);
    EXPECT_EQ(kept.user_id, 42);
    EXPECT_EQ(kept.expires_at, clock_.now() + 2h);
    EXPECT_EQ(kept.csrf_secret.size(), 64u);
    EXPECT_NE(kept.csrf_secret, token);

    auto current = sessions_.current(carrying("sid=" + token));
    ASSERT_TRUE(current.has_value());
    EXPECT_EQ(current->record.user_id, 42);
    EXPECT_EQ(current->token_hash, kept_hash);
    EXPECT_EQ(current->record.csrf_secret, kept.csrf_secret);
}

TEST_F(SessionsTest, CookieIsHttpOnlyLaxForTheWholeSiteAndSecureOverHttps) {
    auto plain = sessions_.open(Request{}, 1);
    ASSERT_TRUE(plain.has_value());
    EXPECT_NE(plain->find("; Path=/"), std::string::npos) << *plain;
    EXPECT_NE(plain->find("; Max-Age=7200"), std::string::npos) << *plain;
    EXPECT_NE(plain->find("; HttpOnly"), std::string::npos) << *plain;
    EXPECT_NE(plain->find("; SameSite=Lax"), std::string::npos) << *plain;
    EXPECT_EQ(plain->find("Secure"), std::string::npos) << *plain;

    Request over_https;
    over_https.secure = true;
    auto secure = sessions_.open(over_https, 1);
    ASSERT_TRUE(secure.has_value());
    EXPECT_NE(secure->find("; Secure"), std::string::npos) << *secure;
}

TEST_F(SessionsTest, EachSessionHasItsOwnTokenAndSecret) {
    auto first = sessions_.open(Request{}, 1);
    auto second = sessions_.open(Request{}, 1);
    ASSERT_TRUE(first && second);
    EXPECT_NE(cookie_value(*first), cookie_value(*second));
    ASSERT_EQ(keeper_.sessions.size(), 2u);
    EXPECT_NE(keeper_.sessions.begin()->second.csrf_secret,
              std::next(keeper_.sessions.begin())->second.csrf_secret);
}

TEST_F(SessionsTest, ExpiredSessionIsNotCurrent) {
    auto header = sessions_.open(Request{}, 7);
    ASSERT_TRUE(header.has_value());
    const auto request = carrying("sid=" + cookie_value(*header));
    clock_.advance(2h - 1s);
    EXPECT_TRUE(sessions_.current(request).has_value());
    clock_.advance(1s);
    EXPECT_FALSE(sessions_.current(request).has_value());
}

TEST_F(SessionsTest, UnknownMissingOrOversizedTokensAreNoSession) {
    ASSERT_TRUE(sessions_.open(Request{}, 7).has_value());
    EXPECT_FALSE(sessions_.current(Request{}).has_value());
    EXPECT_FALSE(sessions_.current(carrying("sid=")).has_value());
    EXPECT_FALSE(sessions_.current(carrying("sid=" + std::string(64, 'a'))).has_value());
    EXPECT_FALSE(sessions_.current(carrying("sid=" + std::string(4096, 'a'))).has_value());
    // The hash of a session is no token: a stolen copy of the table opens nothing.
    EXPECT_FALSE(sessions_.current(carrying("sid=" + keeper_.sessions.begin()->first)));
}

TEST_F(SessionsTest, ClosedSessionIsForgottenAndItsCookieCleared) {
    auto header = sessions_.open(Request{}, 7);
    ASSERT_TRUE(header.has_value());
    const auto request = carrying("sid=" + cookie_value(*header));
    auto current = sessions_.current(request);
    ASSERT_TRUE(current.has_value());
    auto cleared = sessions_.close(request, *current);
    ASSERT_TRUE(cleared.has_value()) << cleared.error().message;
    EXPECT_EQ(cleared->rfind("sid=;", 0), 0u) << *cleared;
    EXPECT_NE(cleared->find("Max-Age=0"), std::string::npos) << *cleared;
    EXPECT_TRUE(keeper_.sessions.empty());
    EXPECT_FALSE(sessions_.current(request).has_value());
}

TEST_F(SessionsTest, AKeeperThatFailsOpensNothingAndFindsNothing) {
    auto header = sessions_.open(Request{}, 7);
    ASSERT_TRUE(header.has_value());
    keeper_.failing = true;
    EXPECT_FALSE(sessions_.current(carrying("sid=" + cookie_value(*header))).has_value());
    auto refused = sessions_.open(Request{}, 7);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Error::Code::database);
}

TEST_F(SessionsTest, FormCarriesCsrfOnlyWithTheSessionsSecret) {
    auto header = sessions_.open(Request{}, 7);
    ASSERT_TRUE(header.has_value());
    auto current = sessions_.current(carrying("sid=" + cookie_value(*header)));
    ASSERT_TRUE(current.has_value());
    const auto secret = current->record.csrf_secret;
    EXPECT_TRUE(form_carries_csrf(with_field("csrf", secret), *current));
    EXPECT_FALSE(form_carries_csrf(with_field("csrf", secret.substr(1)), *current));
    EXPECT_FALSE(form_carries_csrf(with_field("csrf", ""), *current));
    EXPECT_FALSE(form_carries_csrf(with_field("token", secret), *current));
    EXPECT_FALSE(form_carries_csrf(Form{}, *current));
    OpenSession without_secret = *current;
    without_secret.record.csrf_secret.clear();
    EXPECT_FALSE(form_carries_csrf(with_field("csrf", ""), without_secret));
}

TEST(FormCsrf, IssuedTokenMatchesOnlyWhenTheFormSendsBackTheCookiesValue) {
    const FormCsrf csrf("login", "/admin/login");
    auto issued = csrf.issue(Request{});
    ASSERT_TRUE(issued.has_value()) << issued.error().message;
    EXPECT_EQ(issued->token.size(), 64u);
    EXPECT_EQ(cookie_value(issued->set_cookie), issued->token);
    EXPECT_NE(issued->set_cookie.find("; Path=/admin/login"), std::string::npos);
    EXPECT_NE(issued->set_cookie.find("; SameSite=Strict"), std::string::npos);
    EXPECT_NE(issued->set_cookie.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(issued->set_cookie.find("; Max-Age=3600"), std::string::npos);

    const auto request = carrying("login=" + issued->token);
    EXPECT_TRUE(csrf.matches(request, with_field("csrf", issued->token)));
    // Another site can post a form but cannot read or set the cookie.
    EXPECT_FALSE(csrf.matches(Request{}, with_field("csrf", issued->token)));
    EXPECT_FALSE(csrf.matches(request, with_field("csrf", "forged")));
    EXPECT_FALSE(csrf.matches(carrying("login="), with_field("csrf", "")));
    EXPECT_FALSE(csrf.matches(request, Form{}));

    auto another = csrf.issue(Request{});
    ASSERT_TRUE(another.has_value());
    EXPECT_NE(another->token, issued->token);

    auto cleared = csrf.clear(request);
    ASSERT_TRUE(cleared.has_value());
    EXPECT_EQ(cleared->rfind("login=;", 0), 0u) << *cleared;
    EXPECT_NE(cleared->find("Max-Age=0"), std::string::npos);
}

}  // namespace
}  // namespace carnet::http
