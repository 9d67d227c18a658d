// The engine behind `plaza moderation check --rules FILE`, as a library function the app wires
// into its command line.
//
// RunModerationCheck loads the rule file (Plaza or plain `ACTION TERM` format, auto-detected),
// then reads one text per line from `in` and writes one JSON object per line to `out`:
//   {"action":"reject","rules":["spam-001"],"matches":[[3,15]]}
// `action` is "allow" when nothing matches; `rules` lists matched rule ids; `matches` are
// [start, end) byte offsets in the input line (without its line terminator; a trailing "\r" is
// stripped). A line that is not valid UTF-8 yields {"error":"invalid UTF-8"} and processing
// continues. Returns 0 on success, 2 when the rules cannot be loaded (the error goes to `err`),
// 1 on other failures.
//
// Thread-safety: safe to call concurrently with distinct streams.
#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace plaza::safety {

int RunModerationCheck(const std::string& rules_path, std::istream& in, std::ostream& out,
                       std::ostream& err);

}  // namespace plaza::safety
