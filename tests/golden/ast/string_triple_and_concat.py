x = '''a
b''' """c""" 'd'
y = b'a' b'b'
z = u'a' 'b'
