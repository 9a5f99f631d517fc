//! Entry point of the wasm page (built by Trunk from `index.html`).

fn main() {
    yew::Renderer::<kubeleak_web::App>::new().render();
}
