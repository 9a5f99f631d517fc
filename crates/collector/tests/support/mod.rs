pub mod apiserver;
pub mod prometheus;
