#!/usr/bin/env python
# vim: set fileencoding=utf_8 :
x = "é"
