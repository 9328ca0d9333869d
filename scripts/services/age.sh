# The `age` command line (age, age-keygen): the encryption tests decrypt the
# logger's rotated `.age` files with it, as a user would.
PACKAGES+=(age)
