from dhkit.cli import main

main()
