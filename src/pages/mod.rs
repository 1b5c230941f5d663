//! One component per route.

pub mod compare;
pub mod landing;
pub mod not_found;
pub mod search;
pub mod services;
pub mod trace;
pub mod warnings;

pub use compare::ComparePage;
pub use landing::LandingPage;
pub use not_found::NotFoundPage;
pub use search::SearchPage;
pub use services::ServicesPage;
pub use trace::TracePage;
pub use warnings::WarningsPage;
