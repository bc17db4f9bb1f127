#!/usr/bin/env python
from refuge.cli import main

if __name__ == "__main__":
    main()
