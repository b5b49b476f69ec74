// The TCP sockets libcurl opens for the S3 client, where walpipe acts on them itself.
#pragma once

namespace walpipe::io {

// Sends now the acknowledgement of what was read from the TCP socket `fd` that the kernel would
// otherwise delay (TCP_QUICKACK). The kernel sends it only when everything received has been
// read. Nothing happens when `fd` is not a connected TCP socket.
void acknowledge_now(int fd);

// Closes a socket that libcurl hands back to be closed; false when close(2) failed.
bool close_socket(int fd);

}  // namespace walpipe::io
