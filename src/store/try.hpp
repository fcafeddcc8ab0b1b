// The store's error-propagation macros, shared by both backends. Private to the store.
#pragma once

#include <expected>

// Unwraps a Result inside a function that itself returns a Result or Status.
#define CARNET_TRY(var, expr)                                        \
    auto var##_result = (expr);                                      \
    if (!var##_result) return std::unexpected(var##_result.error()); \
    auto& var = *var##_result

#define CARNET_CHECK(expr)                                                 \
    do {                                                                   \
        auto check_result_ = (expr);                                       \
        if (!check_result_) return std::unexpected(check_result_.error()); \
    } while (false)
