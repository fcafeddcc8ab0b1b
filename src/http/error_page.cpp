#include "http/error_page.hpp"

#include <fmt/format.h>

namespace carnet::http {

namespace {

std::string_view title_of(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Content Too Large";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

}  // namespace

Response error_page(int status) {
    Response response;
    response.status = status;
    response.body = fmt::format(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{0} {1}</title></head>"
        "<body><h1>{0} {1}</h1></body></html>\n",
        status, title_of(status));
    return response;
}

}  // namespace carnet::http
