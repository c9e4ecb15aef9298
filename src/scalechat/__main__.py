from scalechat.cli import main

raise SystemExit(main())
