//! Canvas renderers. Each draws a frame from pure layout output (`spanlens_layout`) and never keeps
//! state between frames; components decide when to draw (one animation frame per batch of changes).

pub mod canvas;
pub mod flame;
pub mod graph_edges;
pub mod metrics_chart;
pub mod minimap;
pub mod path_text;
pub mod service_graph;
pub mod time_axis;
pub mod waterfall;
