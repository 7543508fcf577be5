//! Test labs of network namespaces: hosts on a bridge, commands inside, cleanup on drop.
