from reviewkit.cli import main

main()
