//! Giving freed heap back to the kernel. A configuration arrives as one large model
//! that is turned into the running instances and dropped; glibc keeps the freed pages
//! in the process unless asked (malloc_trim(3)), and a thousand instances leave
//! megabytes behind.
#![allow(unsafe_code)]

/// Returns the heap's free pages to the kernel (glibc; a no-op elsewhere).
pub fn trim() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only walks glibc's own allocator state; it takes no pointer
    // from us and is safe to call at any time from the (single) thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
