//! Reusable hooks, one per file.

pub mod use_canvas_2d;
pub mod use_drag_handle;
pub mod use_element_size;
pub mod use_opening_link;
pub mod use_raf_scheduler;
pub mod use_tag_lookup;
pub mod use_wheel;
pub mod use_window_drop;
pub mod virtual_rows;

pub use use_canvas_2d::{Canvas2dFrame, use_canvas_2d};
pub use use_drag_handle::use_drag_handle;
pub use use_element_size::{device_pixel_ratio, use_element_size};
pub use use_opening_link::use_opening_link;
pub use use_raf_scheduler::{RafScheduler, use_raf_scheduler};
pub use use_tag_lookup::{TagSource, use_tag_lookup};
pub use use_wheel::use_wheel;
pub use use_window_drop::use_window_drop;
pub use virtual_rows::visible_rows;
