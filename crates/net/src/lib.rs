//! Kernel networking for vigil: rtnetlink addresses and links, macvlan, sysctls, GARP/NA.
