// HTTP Signatures: draft-cavage-http-signatures-12 as Mastodon signs, and RFC 9421.
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cctype>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>

#include "social/activitypub.hpp"
#include "social/social.hpp"
#include "text/text.hpp"

namespace carnet::social {
namespace {

using model::Error;

struct DigestContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using activitypub::Bio;
using activitypub::Key;
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextFree>;

std::unexpected<Error> refused(std::string why) {
    return model::fail(Error::Code::invalid_input, std::move(why));
}

bool iequal(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(written, 0)));
    return out;
}

std::optional<std::string> unbase64(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() % 4 != 0 || text.size() > 64 * 1024) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    if (written < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(written);
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
    out.resize(size);
    return out;
}

std::string digest(std::string_view bytes, const EVP_MD* algorithm) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), out, &size, algorithm, nullptr);
    return std::string(reinterpret_cast<const char*>(out), size);
}

Result<Key> private_key(std::string_view pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key || !EVP_PKEY_is_a(key.get(), "RSA")) return refused("the signing key is not RSA PEM");
    return key;
}

Result<Key> public_key(std::string_view pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key || !EVP_PKEY_is_a(key.get(), "RSA")) return refused("the actor's key is not RSA PEM");
    return key;
}

enum class Scheme { pkcs1_sha256, pss_sha512 };

// PSS as RFC 9421 §3.3.1 says: SHA-512, MGF1 with SHA-512, a 64-byte salt.
bool set_padding(EVP_PKEY_CTX* context, Scheme scheme) {
    if (scheme == Scheme::pkcs1_sha256) return true;
    return EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(context, 64) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha512()) == 1;
}

const EVP_MD* hash_of(Scheme scheme) {
    return scheme == Scheme::pkcs1_sha256 ? EVP_sha256() : EVP_sha512();
}

Result<std::string> rsa_sign(EVP_PKEY* key, Scheme scheme, std::string_view message) {
    DigestContext context(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_context = nullptr;
    std::size_t size = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    if (!context ||
        EVP_DigestSignInit(context.get(), &key_context, hash_of(scheme), nullptr, key) != 1 ||
        !set_padding(key_context, scheme) ||
        EVP_DigestSign(context.get(), nullptr, &size, data, message.size()) != 1) {
        return model::fail(Error::Code::internal, "OpenSSL could not sign");
    }
    std::string signature(size, '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                       data, message.size()) != 1) {
        return model::fail(Error::Code::internal, "OpenSSL could not sign");
    }
    signature.resize(size);
    return signature;
}

bool rsa_verify(EVP_PKEY* key, Scheme scheme, std::string_view message,
                std::string_view signature) {
    DigestContext context(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_context = nullptr;
    return context &&
           EVP_DigestVerifyInit(context.get(), &key_context, hash_of(scheme), nullptr, key) == 1 &&
           set_padding(key_context, scheme) &&
           EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1;
}

// What a signer needs of the URL: the Host header the Fetcher sends and the request target.
struct Destination {
    std::string uri;
    std::string authority;
    std::string target;
};

Result<Destination> destination_of(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || parsed->encoded_host().empty()) {
        return refused(fmt::format("{} is not a URL to sign a request to", url));
    }
    boost::urls::url copy = *parsed;
    copy.normalize_scheme();
    copy.remove_fragment();
    Destination out;
    out.authority = std::string(copy.encoded_host_and_port());
    out.target = copy.encoded_path().empty() ? "/" : std::string(copy.encoded_path());
    if (copy.has_query()) out.target += "?" + std::string(copy.encoded_query());
    out.uri = fmt::format("{}://{}{}", copy.scheme(), out.authority, out.target);
    return out;
}

// --- Parsing what the signer sent.

// Splits at `separator` outside double quotes and parentheses.
std::vector<std::string_view> split_top_level(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            --depth;
        } else if (c == separator && depth == 0) {
            parts.push_back(trim(text.substr(start, i - start)));
            start = i + 1;
        }
    }
    parts.push_back(trim(text.substr(start)));
    return parts;
}

std::string unquote(std::string_view value) {
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
    std::string out;
    for (std::size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) ++i;
        out += value[i];
    }
    return out;
}

// `name=value` pairs, names in lower case, values unquoted.
std::map<std::string, std::string> parameters(std::string_view text, char separator) {
    std::map<std::string, std::string> out;
    for (auto part : split_top_level(text, separator)) {
        const auto equals = part.find('=');
        if (equals == std::string_view::npos) continue;
        out.emplace(lower(trim(part.substr(0, equals))), unquote(trim(part.substr(equals + 1))));
    }
    return out;
}

// The values of a header, trimmed and joined as RFC 9421 §2.1 and draft-cavage §2.3 join
// them; nothing when the request lacks it.
std::optional<std::string> header_value(const http::Request& request, std::string_view name) {
    std::optional<std::string> out;
    for (const auto& [key, value] : request.headers) {
        if (!iequal(key, name)) continue;
        if (out) {
            *out += ", ";
        } else {
            out.emplace();
        }
        *out += trim(value);
    }
    return out;
}

// The digest of a request's body, checked against Digest (RFC 3230) or Content-Digest
// (RFC 9530).
Status check_digest(const http::Request& request, bool content_digest) {
    const auto header = header_value(request, content_digest ? "content-digest" : "digest");
    if (!header) {
        return refused(content_digest ? "the request has no Content-Digest"
                                      : "the request has no Digest");
    }
    bool checked = false;
    for (auto member : split_top_level(*header, ',')) {
        const auto equals = member.find('=');
        if (equals == std::string_view::npos) continue;
        const auto algorithm = lower(trim(member.substr(0, equals)));
        auto value = trim(member.substr(equals + 1));
        if (content_digest) {
            // A structured byte sequence, :base64:, perhaps with parameters.
            value = value.substr(0, value.find(';'));
            if (value.size() < 2 || value.front() != ':' || value.back() != ':') continue;
            value = value.substr(1, value.size() - 2);
        }
        const EVP_MD* md = algorithm == "sha-256"   ? EVP_sha256()
                           : algorithm == "sha-512" ? EVP_sha512()
                                                    : nullptr;
        if (md == nullptr) continue;
        const auto sent = unbase64(value);
        if (!sent || *sent != digest(request.body, md)) {
            return refused("the body does not match its digest");
        }
        checked = true;
    }
    if (!checked) return refused("the request's digest uses no algorithm carnet checks");
    return {};
}

Status check_time(model::Instant sent, model::Instant now, const SignatureOptions& options,
                  std::string_view what) {
    if (sent < now - options.max_age || sent > now + options.max_ahead) {
        return refused(fmt::format("the request's {} is outside the accepted window", what));
    }
    return {};
}

// A signature to check once the key is known.
struct Pending {
    std::string key_id;
    Scheme scheme = Scheme::pkcs1_sha256;
    std::string base;       // what was signed
    std::string signature;  // the raw bytes
};

Result<Pending> read_cavage(const http::Request& request, std::string_view header,
                            model::Instant now, const SignatureOptions& options) {
    auto params = parameters(header, ',');
    Pending out;
    out.key_id = params["keyid"];
    if (out.key_id.empty()) return refused("the signature has no keyId");
    const auto algorithm = lower(params["algorithm"]);
    // hs2019 lets the key say; carnet's keys and the fediverse's are RSA with SHA-256.
    if (!algorithm.empty() && algorithm != "rsa-sha256" && algorithm != "hs2019") {
        return refused(fmt::format("the signature's algorithm {} is not supported", algorithm));
    }
    auto signature = unbase64(params["signature"]);
    if (!signature) return refused("the signature is not base64");
    out.signature = std::move(*signature);
    const std::string covered = params.contains("headers") ? lower(params["headers"]) : "date";
    std::vector<std::string> names;
    for (auto name : split_top_level(covered, ' ')) {
        if (!name.empty()) names.emplace_back(name);
    }
    const auto covers = [&](std::string_view name) { return std::ranges::count(names, name) > 0; };
    if (!covers("(request-target)") || !covers("host")) {
        return refused("the signature must cover (request-target) and host");
    }
    if (!covers("date") && !covers("(created)")) {
        return refused("the signature must cover the date");
    }
    if (!request.body.empty() && !covers("digest")) {
        return refused("the signature must cover the body's digest");
    }
    for (const auto& name : names) {
        if (!out.base.empty()) out.base += '\n';
        if (name == "(request-target)") {
            out.base +=
                fmt::format("(request-target): {} {}", lower(request.method), request.target);
        } else if (name == "(created)" || name == "(expires)") {
            const auto value = params[name.substr(1, name.size() - 2)];
            if (value.empty()) return refused(fmt::format("the signature lacks {}", name));
            out.base += fmt::format("{}: {}", name, value);
        } else {
            const auto value = header_value(request, name);
            if (!value) return refused(fmt::format("the signed header {} is missing", name));
            out.base += fmt::format("{}: {}", name, *value);
        }
    }
    if (covers("date")) {
        const auto date = http::parse_http_date(*header_value(request, "date"));
        if (!date) return refused("the request's Date is not an HTTP date");
        if (auto in_window = check_time(*date, now, options, "Date"); !in_window) {
            return std::unexpected(in_window.error());
        }
    }
    if (covers("(created)")) {
        const auto created = params["created"];
        std::int64_t seconds = 0;
        if (std::from_chars(created.data(), created.data() + created.size(), seconds).ec !=
            std::errc()) {
            return refused("the signature's created is not a number");
        }
        if (auto in_window =
                check_time(model::Instant{std::chrono::seconds{seconds}}, now, options, "created");
            !in_window) {
            return std::unexpected(in_window.error());
        }
    }
    if (covers("digest")) {
        if (auto checked = check_digest(request, false); !checked) {
            return std::unexpected(checked.error());
        }
    }
    return out;
}

// One member of a Signature-Input dictionary (RFC 8941 §3.2): its inner list of component
// names and its parameters.
struct SignatureInput {
    std::vector<std::string> components;
    std::map<std::string, std::string> params;
    std::string serialized;  // the member's value, as signed in "@signature-params"
};

std::optional<SignatureInput> read_signature_input(std::string_view value) {
    SignatureInput out;
    out.serialized = std::string(value);
    if (value.empty() || value.front() != '(') return std::nullopt;
    const auto close = value.find(')');
    if (close == std::string_view::npos) return std::nullopt;
    for (auto item : split_top_level(value.substr(1, close - 1), ' ')) {
        if (item.empty()) continue;
        // Components with parameters (;sf, ;key, ;req) are beyond what carnet checks.
        if (item.size() < 2 || item.front() != '"' || item.back() != '"') return std::nullopt;
        out.components.push_back(lower(unquote(item)));
    }
    out.params = parameters(value.substr(close + 1), ';');
    return out;
}

Result<Pending> read_rfc9421(const http::Request& request, std::string_view input_header,
                             std::string_view signature_header, model::Instant now,
                             const SignatureOptions& options) {
    // The first signature whose label both headers carry.
    std::map<std::string, std::string_view> signatures;
    for (auto member : split_top_level(signature_header, ',')) {
        const auto equals = member.find('=');
        if (equals != std::string_view::npos) {
            signatures.emplace(trim(member.substr(0, equals)), trim(member.substr(equals + 1)));
        }
    }
    for (auto member : split_top_level(input_header, ',')) {
        const auto equals = member.find('=');
        if (equals == std::string_view::npos) continue;
        const auto found = signatures.find(std::string(trim(member.substr(0, equals))));
        if (found == signatures.end()) continue;
        auto input = read_signature_input(trim(member.substr(equals + 1)));
        if (!input) return refused("the Signature-Input is not one carnet reads");
        auto bytes = found->second;
        if (bytes.size() < 2 || bytes.front() != ':' || bytes.back() != ':') {
            return refused("the Signature is not a byte sequence");
        }
        auto signature = unbase64(bytes.substr(1, bytes.size() - 2));
        if (!signature) return refused("the Signature is not base64");
        Pending out;
        out.signature = std::move(*signature);
        out.key_id = input->params["keyid"];
        if (out.key_id.empty()) return refused("the signature has no keyid");
        const auto algorithm = input->params["alg"];
        if (algorithm == "rsa-pss-sha512") {
            out.scheme = Scheme::pss_sha512;
        } else if (!algorithm.empty() && algorithm != "rsa-v1_5-sha256") {
            return refused(fmt::format("the signature's algorithm {} is not supported", algorithm));
        }
        const auto covers = [&](std::string_view name) {
            return std::ranges::count(input->components, name) > 0;
        };
        if (!covers("@method") ||
            !(covers("@target-uri") ||
              (covers("@authority") && (covers("@path") || covers("@request-target"))))) {
            return refused("the signature must cover the method and the target");
        }
        if (!request.body.empty() && !covers("content-digest")) {
            return refused("the signature must cover the body's Content-Digest");
        }
        const auto created = input->params["created"];
        std::int64_t seconds = 0;
        if (created.empty() ||
            std::from_chars(created.data(), created.data() + created.size(), seconds).ec !=
                std::errc()) {
            return refused("the signature has no created time");
        }
        if (auto in_window =
                check_time(model::Instant{std::chrono::seconds{seconds}}, now, options, "created");
            !in_window) {
            return std::unexpected(in_window.error());
        }
        const auto authority = lower(request.header("host"));
        const std::string scheme = request.secure ? "https" : "http";
        for (const auto& name : input->components) {
            std::string value;
            if (name == "@method") {
                value = request.method;
            } else if (name == "@target-uri") {
                value = fmt::format("{}://{}{}", scheme, authority, request.target);
            } else if (name == "@authority") {
                value = authority;
            } else if (name == "@scheme") {
                value = scheme;
            } else if (name == "@request-target") {
                value = request.target;
            } else if (name == "@path") {
                value = request.target.substr(0, request.target.find('?'));
            } else if (name == "@query") {
                const auto mark = request.target.find('?');
                value = mark == std::string::npos ? "?" : request.target.substr(mark);
            } else if (name.starts_with('@')) {
                return refused(fmt::format("the component {} is not supported", name));
            } else {
                auto header = header_value(request, name);
                if (!header) return refused(fmt::format("the signed header {} is missing", name));
                value = std::move(*header);
            }
            out.base += fmt::format("\"{}\": {}\n", name, value);
        }
        out.base += "\"@signature-params\": " + input->serialized;
        if (covers("date")) {
            const auto date = http::parse_http_date(*header_value(request, "date"));
            if (!date) return refused("the request's Date is not an HTTP date");
            if (auto in_window = check_time(*date, now, options, "Date"); !in_window) {
                return std::unexpected(in_window.error());
            }
        }
        if (covers("content-digest")) {
            if (auto checked = check_digest(request, true); !checked) {
                return std::unexpected(checked.error());
            }
        }
        return out;
    }
    return refused("the Signature-Input and Signature name no common signature");
}

// The origin of a URL (scheme, host and port), to tell whether two belong to one site.
std::string origin_of(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return {};
    return lower(fmt::format("{}://{}", parsed->scheme(), parsed->encoded_host_and_port()));
}

using activitypub::json_string;

}  // namespace

Result<http::Headers> sign_cavage(const SigningKey& key, std::string_view url,
                                  std::string_view body, model::Instant now) {
    auto where = destination_of(url);
    if (!where) return std::unexpected(where.error());
    auto rsa = private_key(key.private_pem);
    if (!rsa) return std::unexpected(rsa.error());
    const auto date = text::http_date(now);
    const auto body_digest = "SHA-256=" + base64(digest(body, EVP_sha256()));
    const auto base = fmt::format("(request-target): post {}\nhost: {}\ndate: {}\ndigest: {}",
                                  where->target, where->authority, date, body_digest);
    auto signature = rsa_sign(rsa->get(), Scheme::pkcs1_sha256, base);
    if (!signature) return std::unexpected(signature.error());
    return http::Headers{
        {"Date", date},
        {"Digest", body_digest},
        {"Signature",
         fmt::format("keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"(request-target) "
                     "host date digest\",signature=\"{}\"",
                     key.key_id, base64(*signature))}};
}

Result<http::Headers> sign_rfc9421(const SigningKey& key, std::string_view url,
                                   std::string_view body, model::Instant now,
                                   Rfc9421Algorithm algorithm) {
    auto where = destination_of(url);
    if (!where) return std::unexpected(where.error());
    auto rsa = private_key(key.private_pem);
    if (!rsa) return std::unexpected(rsa.error());
    const auto date = text::http_date(now);
    const auto content_digest = "sha-256=:" + base64(digest(body, EVP_sha256())) + ":";
    const bool pss = algorithm == Rfc9421Algorithm::rsa_pss_sha512;
    const auto params = fmt::format(
        R"(("@method" "@target-uri" "@authority" "content-digest" "date");created={};keyid="{}";alg="{}")",
        now.time_since_epoch().count(), key.key_id, pss ? "rsa-pss-sha512" : "rsa-v1_5-sha256");
    const auto base = fmt::format(
        "\"@method\": POST\n\"@target-uri\": {}\n\"@authority\": {}\n\"content-digest\": "
        "{}\n\"date\": {}\n\"@signature-params\": {}",
        where->uri, lower(where->authority), content_digest, date, params);
    auto signature = rsa_sign(rsa->get(), pss ? Scheme::pss_sha512 : Scheme::pkcs1_sha256, base);
    if (!signature) return std::unexpected(signature.error());
    return http::Headers{{"Date", date},
                         {"Content-Digest", content_digest},
                         {"Signature-Input", "sig1=" + params},
                         {"Signature", "sig1=:" + base64(*signature) + ":"}};
}

struct SignatureVerifier::Impl {
    const Fetcher& fetcher;
    const Clock& clock;
    SignatureOptions options;

    struct KnownKey {
        std::string public_pem;
        Signer signer;  // but its key_id
    };
    std::mutex mutex;
    std::map<std::string, KnownKey> keys;  // by key id

    Impl(const Fetcher& the_fetcher, const Clock& the_clock, SignatureOptions the_options)
        : fetcher(the_fetcher), clock(the_clock), options(the_options) {}

    Result<KnownKey> fetch_key(const std::string& key_id) {
        FetchRequest request;
        request.url = key_id;
        request.accept =
            "application/activity+json, application/ld+json; "
            "profile=\"https://www.w3.org/ns/activitystreams\"";
        auto response = fetcher.fetch(request);
        if (!response) return std::unexpected(response.error());
        if (response->status >= 500) {
            return model::fail(Error::Code::io,
                               fmt::format("{} answered {} for its key", key_id, response->status));
        }
        if (response->status != 200) {
            return refused(fmt::format("{} answered {} for its key", key_id, response->status));
        }
        boost::system::error_code error;
        auto document = boost::json::parse(response->body, error);
        if (error || !document.is_object()) {
            return refused(fmt::format("{} is not a JSON document", key_id));
        }
        const auto& object = document.as_object();
        const auto document_id = json_string(object, "id");
        // The key is the actor's publicKey (an object or a list of them), or the document
        // itself when the keyId names a key of its own.
        std::vector<const boost::json::object*> candidates;
        if (const auto* listed = object.if_contains("publicKey")) {
            if (listed->is_object()) candidates.push_back(&listed->as_object());
            if (listed->is_array()) {
                for (const auto& item : listed->as_array()) {
                    if (item.is_object()) candidates.push_back(&item.as_object());
                }
            }
        }
        if (object.contains("publicKeyPem")) candidates.push_back(&object);
        for (const auto* candidate : candidates) {
            const auto id = json_string(*candidate, "id");
            const bool named = id == key_id || (candidates.size() == 1 && document_id == key_id);
            if (!named) continue;
            KnownKey known{json_string(*candidate, "publicKeyPem"), {}};
            auto& owner = known.signer.actor;
            owner = json_string(*candidate, "owner");
            if (owner.empty()) owner = document_id;
            // A key speaks only for an actor of its own site.
            if (owner.empty() || origin_of(owner) != origin_of(key_id)) {
                return refused(fmt::format("the key {} belongs to another site's actor", key_id));
            }
            if (!public_key(known.public_pem)) {
                return refused(fmt::format("the key {} is not an RSA public key", key_id));
            }
            if (owner == document_id) {
                known.signer.inbox = json_string(object, "inbox");
                known.signer.preferred_username = json_string(object, "preferredUsername");
                known.signer.name = json_string(object, "name");
                known.signer.profile_url = json_string(object, "url");
                if (const auto* endpoints = object.if_contains("endpoints");
                    endpoints != nullptr && endpoints->is_object()) {
                    known.signer.shared_inbox = json_string(endpoints->as_object(), "sharedInbox");
                }
            }
            return known;
        }
        return refused(fmt::format("{} publishes no key {}", key_id, key_id));
    }

    Result<KnownKey> key(const std::string& key_id, bool fresh) {
        if (!fresh) {
            std::scoped_lock lock(mutex);
            if (auto found = keys.find(key_id); found != keys.end()) return found->second;
        }
        auto fetched = fetch_key(key_id);
        if (!fetched) return std::unexpected(fetched.error());
        std::scoped_lock lock(mutex);
        if (keys.size() >= options.max_cached_keys) keys.clear();
        keys.insert_or_assign(key_id, *fetched);
        return *fetched;
    }

    Result<Signer> verify(const http::Request& request) {
        const auto now = clock.now();
        const auto input = header_value(request, "signature-input");
        const auto signature = header_value(request, "signature");
        if (!signature) return refused("the request is not signed");
        auto pending = input ? read_rfc9421(request, *input, *signature, now, options)
                             : read_cavage(request, *signature, now, options);
        if (!pending) return std::unexpected(pending.error());
        bool cached = false;
        {
            std::scoped_lock lock(mutex);
            cached = keys.contains(pending->key_id);
        }
        for (const bool fresh : {false, true}) {
            if (fresh && !cached) break;
            auto known = key(pending->key_id, fresh);
            if (!known) return std::unexpected(known.error());
            auto rsa = public_key(known->public_pem);
            if (rsa && rsa_verify(rsa->get(), pending->scheme, pending->base, pending->signature)) {
                Signer signer = known->signer;
                signer.key_id = pending->key_id;
                return signer;
            }
        }
        return refused(fmt::format("the signature does not verify with {}", pending->key_id));
    }
};

SignatureVerifier::SignatureVerifier(const Fetcher& fetcher, const Clock& clock,
                                     SignatureOptions options)
    : impl_(std::make_unique<Impl>(fetcher, clock, options)) {}

SignatureVerifier::~SignatureVerifier() = default;

Result<Signer> SignatureVerifier::verify(const http::Request& request) {
    return impl_->verify(request);
}

}  // namespace carnet::social
