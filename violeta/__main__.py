from violeta.cli import main

main()
