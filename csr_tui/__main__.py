from csr_tui.cli import main

raise SystemExit(main())
