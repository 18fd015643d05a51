# coding: iso-8859-1
é = "éé"; y = f"é{é}"
