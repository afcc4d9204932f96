fn main() {
    tessera_web::start();
}
