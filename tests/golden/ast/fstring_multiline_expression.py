x = f"{
    a +
    b
}!"
